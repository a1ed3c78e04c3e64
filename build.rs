//! Bakes the location of libtorch's shared libraries into every binary of this
//! package (the CLI, tests, benches) as an rpath, so that `target/release/casefile`
//! runs without the user exporting `LD_LIBRARY_PATH`.
//!
//! libtorch comes from the `torch` wheel in the project's virtual environment
//! (`make setup`); `LIBTORCH` overrides that, as it does for tch itself.
use std::path::{Path, PathBuf};

fn torch_lib_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("LIBTORCH") {
        return Some(PathBuf::from(dir).join("lib"));
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").ok()?);
    let lib = root.join(".venv").join("lib");
    for entry in std::fs::read_dir(&lib).ok()?.flatten() {
        let candidate = entry.path().join("site-packages/torch/lib");
        if candidate.join("libtorch_cpu.so").exists() {
            return Some(candidate);
        }
    }
    None
}

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(dir) = torch_lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
        // The linker drops libtorch_cuda when no symbol of it is referenced directly,
        // and then libtorch never sees the GPU. Keep it when the wheel has it.
        if Path::new(&dir).join("libtorch_cuda.so").exists() {
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch_cuda,--as-needed");
        }
    } else {
        println!("cargo:warning=libtorch not found in .venv; run `make setup` or set LIBTORCH");
    }
}
