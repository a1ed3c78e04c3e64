//! HTML pages: one file, one document, whose text is the article found in the page.
//!
//! A saved news page is mostly not the article: navigation, headers, share bars,
//! "read also" boxes, ads, cookie notices, comments. This stage keeps the article
//! only, because everything downstream (cleaning, NER, events) reads prose and
//! every offset casefile writes points into [`Document::text`]: the text built
//! here *is* the document text, so it is built once and stored as is.
//!
//! The steps, each linear in the size of the page:
//!
//! 1. **Parse** with html5ever (a real HTML5 parser: entities, implied end tags,
//!    misnested markup as browsers do) into scraper's arena tree. A guard
//!    between html5ever's tokenizer and tree builder caps element nesting and
//!    the pile of unclosed formatting elements (see `Guard`): the HTML5
//!    tree-building algorithm scans the stack of open elements on many tags, so
//!    a page nested 60,000 levels deep would otherwise take quadratic time.
//! 2. **Metadata** (title, publication date, canonical URL) from `<meta>` tags,
//!    JSON-LD, `<title>` and `<time datetime>`.
//! 3. **Flatten** the tree into arrays in document order, leaving out page
//!    furniture by tag, ARIA role, class/id pattern and hidden markers
//!    ([`HtmlRules`], `rules/html.toml`). Every walk from here on is a loop over
//!    these arrays or an explicit stack, never recursion, so no input depth can
//!    overflow the call stack.
//! 4. **Measure** every element's text length, link-text length and commas in one
//!    post-order pass (a reverse loop over the pre-order arrays).
//! 5. **Score** as Mozilla Readability does: every paragraph-like element with
//!    enough text scores by length and commas, and gives its score to up to five
//!    ancestors (less the further up); an ancestor's score is weighted by its tag
//!    and class, then scaled down by its link density. The best container wins,
//!    with the siblings that score close to it or read like article paragraphs.
//! 6. **Write out** the winner's text as blocks (paragraphs, headings, list items,
//!    quotes) separated by a blank line, whitespace in a block collapsed to one
//!    space, leaving out blocks that are mostly links or read like "Read also:".

use super::{decode, Source};
use crate::document::{DateSource, Document, Origin};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use chrono::NaiveDate;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult};
use regex::{RegexSet, RegexSetBuilder};
use scraper::{Html, HtmlTreeSink, Node};
use serde::Deserialize;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

/// What [`extract`] finds in a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// The headline: `og:title`, JSON-LD `headline`, else `<title>` without the
    /// site name; never part of `text`.
    pub title: Option<String>,
    /// The publication date from the page's metadata.
    pub published: Option<NaiveDate>,
    /// `<link rel="canonical">` or `og:url`.
    pub url: Option<String>,
    /// The article as blocks separated by `"\n\n"`; empty when the page has none.
    pub text: String,
    /// Things worth telling the user that did not stop extraction.
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    drop_tags: Vec<String>,
    drop_roles: Vec<String>,
    unlikely: Vec<String>,
    maybe: Vec<String>,
    positive: Vec<String>,
    negative: Vec<String>,
    drop_text: Vec<String>,
}

/// Compiled page-furniture rules (`rules/html.toml`).
pub struct HtmlRules {
    drop_tags: HashSet<String>,
    drop_roles: HashSet<String>,
    unlikely: RegexSet,
    maybe: RegexSet,
    positive: RegexSet,
    negative: RegexSet,
    drop_text: RegexSet,
}

impl RuleFile for HtmlRules {
    const BUILTIN: &'static str = include_str!("../../rules/html.toml");
    const BUILTIN_PATH: &'static str = "rules/html.toml";

    fn parse(source: &str, path: &Path) -> Result<HtmlRules> {
        let err = |reason: String| Error::Rules {
            path: path.to_path_buf(),
            reason,
        };
        let file: RulesFile = toml::from_str(source).map_err(|e| err(e.to_string()))?;
        let set = |patterns: &[String], key: &str| {
            RegexSetBuilder::new(patterns)
                .case_insensitive(true)
                .build()
                .map_err(|e| err(format!("{key}: {e}")))
        };
        let lower = |names: &[String]| names.iter().map(|n| n.to_ascii_lowercase()).collect();
        Ok(HtmlRules {
            drop_tags: lower(&file.drop_tags),
            drop_roles: lower(&file.drop_roles),
            unlikely: set(&file.unlikely, "unlikely")?,
            maybe: set(&file.maybe, "maybe")?,
            positive: set(&file.positive, "positive")?,
            negative: set(&file.negative, "negative")?,
            drop_text: set(&file.drop_text, "drop_text")?,
        })
    }
}

static BUILTIN_RULES: LazyLock<HtmlRules> = LazyLock::new(HtmlRules::builtin);

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

pub(super) fn read(source: &Source) -> Document {
    let origin = Origin {
        path: source.display(),
        line: None,
    };
    let Some(path) = &source.path else {
        return Document::failed(&source.id, origin, "HTML input needs a file path");
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let reason = format!("cannot read {}: {e}", path.display());
            return Document::failed(&source.id, origin, reason);
        }
    };
    let mut warnings = Vec::new();
    match decode(bytes, &mut warnings) {
        Ok(html) => document(&source.id, origin, &html, warnings),
        Err(reason) => Document::failed(&source.id, origin, reason),
    }
}

/// The document of one decoded page: the article text, or an error saying why
/// there is none.
fn document(id: &str, origin: Origin, html: &str, mut warnings: Vec<String>) -> Document {
    if html.trim().is_empty() {
        return Document::failed(id, origin, "empty HTML page");
    }
    // The guard and the linear walks leave nothing known to panic; this is the
    // last line that keeps one bad page from ending a run of thousands.
    let found = match std::panic::catch_unwind(|| extract(html)) {
        Ok(found) => found,
        Err(_) => return Document::failed(id, origin, "the HTML parser failed on this page"),
    };
    warnings.extend(found.warnings);
    if !found.text.chars().any(char::is_alphanumeric) {
        let mut doc = Document::failed(id, origin, "no article text found in HTML");
        doc.title = found.title;
        doc.warnings = warnings;
        return doc;
    }
    let mut doc = Document::new(id, found.text);
    doc.origin = origin;
    doc.title = found.title;
    doc.url = found.url;
    if let Some(date) = found.published {
        doc.published = Some(date);
        doc.published_source = Some(DateSource::Meta);
    }
    doc.warnings = warnings;
    doc
}

/// Extracts the article, title and date of a page with the built-in rules.
pub fn extract(html: &str) -> Extracted {
    extract_with(html, &BUILTIN_RULES)
}

/// Extracts the article, title and date of a page with the given rules.
pub fn extract_with(html: &str, rules: &HtmlRules) -> Extracted {
    let dom = parse(html);
    let mut found = metadata(&dom);
    let flat = Flat::build(&dom, rules);
    found.text = flat.article(rules);
    found
}

// ---------------------------------------------------------------------------
// Parsing, with a guard against pathological nesting
// ---------------------------------------------------------------------------

/// Deepest element nesting passed to the tree builder; start tags below it are
/// left out (their text is kept, in the enclosing element). WebKit caps DOM
/// depth at the same 512; no real page comes near it.
const MAX_DEPTH: u32 = 512;

/// Most unclosed formatting elements (`<b>`, `<i>`, `<font>`...) passed to the
/// tree builder. HTML5 re-creates every unclosed formatting element at the start
/// of each later paragraph ("reconstruct the active formatting elements"), so
/// without a cap `<b id=1>`...`<b id=N>` followed by N paragraphs builds N²
/// elements. Dropping a formatting tag loses styling, never text.
const MAX_FORMATTING: usize = 16;

/// Elements the tree builder may create beyond the start tags it was given
/// (re-created formatting elements) before the guard closes every open
/// formatting element and passes no more: keeps the tree linear in the input.
const SYNTHETIC_BUDGET: usize = 100_000;

type Handle = <HtmlTreeSink as TreeSink>::Handle;

fn parse(html: &str) -> Html {
    let sink = DepthSink {
        inner: HtmlTreeSink::new(Html::new_document()),
        depth: RefCell::new(HashMap::new()),
        current: Cell::new(0),
        created: Cell::new(0),
    };
    let guard = Guard {
        builder: TreeBuilder::new(sink, TreeBuilderOpts::default()),
        dropped: RefCell::new(HashMap::new()),
        open_formatting: RefCell::new(HashMap::new()),
        formatting_total: Cell::new(0),
        formatting_off: Cell::new(false),
        passed_starts: Cell::new(0),
    };
    let tokenizer = Tokenizer::new(guard, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The tokenizer pauses after a </script> (for a browser to run it) and at a
    // <meta charset> (to re-decode); the text is decoded already, so go on.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.builder.sink.inner.finish()
}

/// Sits between html5ever's tokenizer and tree builder, and leaves out start
/// tags (and their end tags) that would nest elements deeper than [`MAX_DEPTH`]
/// or pile up more than [`MAX_FORMATTING`] unclosed formatting elements.
struct Guard {
    builder: TreeBuilder<Handle, DepthSink>,
    /// End tags still to swallow, by name: one per start tag left out.
    dropped: RefCell<HashMap<LocalName, usize>>,
    open_formatting: RefCell<HashMap<LocalName, usize>>,
    formatting_total: Cell<usize>,
    formatting_off: Cell<bool>,
    passed_starts: Cell<usize>,
}

/// Formatting elements that HTML5 re-creates after they are implicitly closed.
/// (`<a>` and `<nobr>` are left out: a new one closes the previous one.)
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Start tags the guard always passes: they never nest deeper (void elements,
/// the document's own html/head/body), or they switch the tokenizer into raw
/// text (script, style...), which only the tree builder can ask for.
fn always_passes(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "head"
            | "body"
            | "frameset"
            | "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "image"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

impl Guard {
    fn drop_tag(&self, name: &LocalName) -> TokenSinkResult<Handle> {
        *self.dropped.borrow_mut().entry(name.clone()).or_default() += 1;
        TokenSinkResult::Continue
    }

    /// Past the budget of re-created elements: close every formatting element
    /// the guard let through, so that none is re-created again.
    fn check_budget(&self, line: u64) {
        let sink = &self.builder.sink;
        let synthetic = sink.created.get().saturating_sub(self.passed_starts.get());
        if self.formatting_off.get() || synthetic <= SYNTHETIC_BUDGET {
            return;
        }
        self.formatting_off.set(true);
        let open: Vec<(LocalName, usize)> = self.open_formatting.borrow_mut().drain().collect();
        self.formatting_total.set(0);
        for (name, n) in open {
            for _ in 0..n {
                let end = Tag {
                    kind: TagKind::EndTag,
                    name: name.clone(),
                    self_closing: false,
                    attrs: Vec::new(),
                    had_duplicate_attributes: false,
                };
                // End tags of formatting elements never ask the tokenizer for
                // anything: the result is always Continue.
                let _ = self.builder.process_token(Token::TagToken(end), line);
            }
        }
    }
}

impl TokenSink for Guard {
    type Handle = Handle;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<Handle> {
        if let Token::TagToken(tag) = &token {
            let name: &str = &tag.name;
            match tag.kind {
                TagKind::StartTag if !always_passes(name) => {
                    let formatting = is_formatting(name);
                    if formatting
                        && (self.formatting_off.get()
                            || self.formatting_total.get() >= MAX_FORMATTING)
                    {
                        return self.drop_tag(&tag.name);
                    }
                    if self.builder.sink.current.get() >= MAX_DEPTH {
                        return self.drop_tag(&tag.name);
                    }
                    if formatting {
                        *self
                            .open_formatting
                            .borrow_mut()
                            .entry(tag.name.clone())
                            .or_default() += 1;
                        self.formatting_total.set(self.formatting_total.get() + 1);
                    }
                    self.passed_starts.set(self.passed_starts.get() + 1);
                }
                TagKind::StartTag => self.passed_starts.set(self.passed_starts.get() + 1),
                TagKind::EndTag => {
                    if let Some(n) = self.dropped.borrow_mut().get_mut(&tag.name) {
                        if *n > 0 {
                            *n -= 1;
                            return TokenSinkResult::Continue;
                        }
                    }
                    if is_formatting(name) {
                        if let Some(n) = self.open_formatting.borrow_mut().get_mut(&tag.name) {
                            if *n > 0 {
                                *n -= 1;
                                self.formatting_total
                                    .set(self.formatting_total.get().saturating_sub(1));
                            }
                        }
                    }
                }
            }
        }
        let result = self.builder.process_token(token, line);
        self.check_budget(line);
        result
    }

    fn end(&self) {
        self.builder.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, plus the tree depth of every node (kept in a map, so
/// that knowing it never walks up the tree) and the depth of the node the tree
/// builder last inserted into, which the [`Guard`] reads.
struct DepthSink {
    inner: HtmlTreeSink,
    depth: RefCell<HashMap<Handle, u32>>,
    /// Depth of the current insertion point, as far as the sink can tell.
    current: Cell<u32>,
    /// Elements created so far.
    created: Cell<usize>,
}

impl DepthSink {
    fn depth_of(&self, node: &Handle) -> u32 {
        self.depth.borrow().get(node).copied().unwrap_or(0)
    }

    /// Records that `child` now sits at `depth`; text moves the insertion
    /// point to its parent, an element (usually pushed as the new current
    /// node) to itself.
    fn placed(&self, child: &NodeOrText<Handle>, depth: u32) {
        match child {
            NodeOrText::AppendNode(id) => {
                self.depth.borrow_mut().insert(*id, depth);
                self.current.set(depth);
            }
            NodeOrText::AppendText(_) => self.current.set(depth.saturating_sub(1)),
        }
    }
}

impl TreeSink for DepthSink {
    type Handle = Handle;
    type Output = Html;
    type ElemName<'a>
        = <HtmlTreeSink as TreeSink>::ElemName<'a>
    where
        Self: 'a;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> Handle {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a Handle) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        self.created.set(self.created.get() + 1);
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> Handle {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Handle {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.placed(&child, self.depth_of(parent) + 1);
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        let depth = self.depth_of(element).max(self.depth_of(prev_element) + 1);
        self.placed(&child, depth);
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &Handle) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &Handle) {
        self.current.set(self.depth_of(node).saturating_sub(1));
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &Handle) -> Handle {
        let contents = self.inner.get_template_contents(target);
        let depth = self.depth_of(target) + 1;
        self.depth.borrow_mut().entry(contents).or_insert(depth);
        contents
    }
    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        self.placed(&new_node, self.depth_of(sibling));
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(
        &self,
        target: &Handle,
        form: &Handle,
        nodes: (&Handle, Option<&Handle>),
    ) {
        self.inner.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &Handle) {
        self.inner.remove_from_parent(target)
    }
    // Moved children keep their recorded depth: only the adoption agency does
    // this, a bounded number of times per end tag, so the guard's view of the
    // depth stays close enough.
    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.inner.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &Handle) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }
    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }
}

// ---------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------

/// `<meta>` names (property, name or itemprop, lowercased) that carry the
/// publication date, best first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "published_date",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "citation_publication_date",
];

/// Collapses whitespace runs to one space and trims; `None` when nothing is left.
fn squash(text: &str) -> Option<String> {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// The text of an element's subtree (scraper walks it without recursion).
fn subtree_text(el: scraper::ElementRef<'_>) -> String {
    el.text().collect()
}

/// Where a date came from, in order of trust.
#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum DateRank {
    Meta(usize),
    JsonLd,
    TimePubdate,
    Time,
}

fn metadata(dom: &Html) -> Extracted {
    let mut clues = PageClues::default();
    for node in dom.tree.root().descendants() {
        if let Some(el) = scraper::ElementRef::wrap(node) {
            clues.visit(el);
        }
    }
    clues.finish()
}

/// What the page says about itself, gathered element by element: the
/// candidate publication dates with their rank, the titles and the URLs.
#[derive(Default)]
struct PageClues {
    dates: Vec<(DateRank, String)>,
    og_title: Option<String>,
    ld_title: Option<String>,
    page_title: Option<String>,
    h1: Option<String>,
    canonical: Option<String>,
    og_url: Option<String>,
}

impl PageClues {
    fn visit(&mut self, el: scraper::ElementRef) {
        let v = el.value();
        match v.name() {
            "meta" => self.meta(v),
            "title" if self.page_title.is_none() => self.page_title = squash(&subtree_text(el)),
            "h1" if self.h1.is_none() => self.h1 = squash(&subtree_text(el)),
            "link" if self.canonical.is_none() => {
                let rel = v.attr("rel").unwrap_or("");
                if rel
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    self.canonical = v.attr("href").and_then(squash);
                }
            }
            "script" => self.script(el),
            "time" => self.time(v),
            _ => {
                // <span itemprop="datePublished" content="..."> and the like.
                if v.attr("itemprop")
                    .is_some_and(|p| p.eq_ignore_ascii_case("datePublished"))
                {
                    if let Some(d) = v.attr("content").or_else(|| v.attr("datetime")) {
                        self.dates
                            .push((DateRank::Meta(DATE_META.len()), d.to_string()));
                    }
                }
            }
        }
    }

    /// `<meta property|name|itemprop=... content=...>`: dates, title, URL.
    fn meta(&mut self, el: &scraper::node::Element) {
        let key = ["property", "name", "itemprop"]
            .iter()
            .find_map(|a| el.attr(a))
            .map(|k| k.trim().to_ascii_lowercase());
        let (Some(key), Some(content)) = (key, el.attr("content")) else {
            return;
        };
        if let Some(rank) = DATE_META.iter().position(|k| *k == key) {
            self.dates.push((DateRank::Meta(rank), content.to_string()));
        } else if key == "og:title" || (key == "twitter:title" && self.og_title.is_none()) {
            self.og_title = squash(content);
        } else if key == "og:url" {
            self.og_url = squash(content);
        }
    }

    /// JSON-LD: its publication date and headline.
    fn script(&mut self, el: scraper::ElementRef) {
        let ld = el
            .value()
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
        if !ld {
            return;
        }
        let (date, headline) = json_ld(&subtree_text(el));
        if let Some(d) = date {
            self.dates.push((DateRank::JsonLd, d));
        }
        if self.ld_title.is_none() {
            self.ld_title = headline.as_deref().and_then(squash);
        }
    }

    /// `<time datetime=...>`, ranked higher when marked as the publication time.
    fn time(&mut self, el: &scraper::node::Element) {
        let Some(dt) = el.attr("datetime") else {
            return;
        };
        let pub_time = el.attr("pubdate").is_some()
            || el
                .attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datePublished"));
        let rank = if pub_time {
            DateRank::TimePubdate
        } else {
            DateRank::Time
        };
        self.dates.push((rank, dt.to_string()));
    }

    /// The best-ranked date that parses (a warning when only unparsable ones
    /// were found), the title by preference, the canonical URL.
    fn finish(mut self) -> Extracted {
        let mut found = Extracted::default();
        // Stable: equal ranks keep document order.
        self.dates.sort_by_key(|(rank, _)| *rank);
        found.published = self
            .dates
            .iter()
            .find_map(|(_, d)| super::parse_published(d));
        if found.published.is_none() {
            if let Some((_, d)) = self.dates.first() {
                found.warnings.push(format!(
                    "publication date {:?} in the page is not a YYYY-MM-DD date; ignored",
                    d.trim()
                ));
            }
        }
        let h1 = self.h1;
        found.title = self
            .og_title
            .or(self.ld_title)
            .or_else(|| self.page_title.map(|t| headline_of(&t, h1.as_deref())));
        found.url = self.canonical.or(self.og_url);
        found
    }
}

/// The headline in a `<title>`: the page's `<h1>` when the title contains it,
/// else the title without a site name after (or before) a separator, as
/// Readability does.
fn headline_of(title: &str, h1: Option<&str>) -> String {
    if let Some(h1) = h1 {
        if h1.len() >= 10 && title.contains(h1) {
            return h1.to_string();
        }
    }
    const SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " / "];
    let last = SEPARATORS
        .iter()
        .filter_map(|s| title.rfind(s).map(|i| (i, s.len())))
        .max();
    let Some((at, len)) = last else {
        return title.to_string();
    };
    let head = title[..at].trim();
    if head.split_whitespace().count() >= 3 {
        return head.to_string();
    }
    let first = SEPARATORS
        .iter()
        .filter_map(|s| title.find(s).map(|i| (i, s.len())))
        .min()
        .unwrap_or((at, len));
    let tail = title[first.0 + first.1..].trim();
    if tail.split_whitespace().count() >= 3 {
        tail.to_string()
    } else {
        title.to_string()
    }
}

/// `datePublished` and `headline` from a JSON-LD block, searched breadth-first
/// through nested objects and arrays (`@graph`). serde_json refuses nesting
/// deeper than 128 levels, so a hostile block is an error, not a stack overflow.
fn json_ld(source: &str) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(source) else {
        return (None, None);
    };
    let (mut date, mut headline) = (None, None);
    let mut queue = std::collections::VecDeque::from([&value]);
    while let Some(v) = queue.pop_front() {
        match v {
            serde_json::Value::Object(obj) => {
                if date.is_none() {
                    date = obj
                        .get("datePublished")
                        .and_then(|d| d.as_str())
                        .map(String::from);
                }
                if headline.is_none() {
                    headline = obj
                        .get("headline")
                        .and_then(|d| d.as_str())
                        .map(String::from);
                }
                queue.extend(obj.values());
            }
            serde_json::Value::Array(items) => queue.extend(items),
            _ => {}
        }
        if date.is_some() && headline.is_some() {
            break;
        }
    }
    (date, headline)
}

// ---------------------------------------------------------------------------
// The flattened page
// ---------------------------------------------------------------------------

const NONE: usize = usize::MAX;

/// A kept node of the page: an element or a run of text.
enum Item<'a> {
    Element(&'a scraper::node::Element),
    Text(&'a str),
}

/// The page without its furniture, in document (pre-order) order: node `i`'s
/// subtree is `i..end[i]`, its parent `parent[i]`. Per-node measures are filled
/// by one reverse (post-order) pass, so nothing ever walks a subtree twice.
struct Flat<'a> {
    items: Vec<Item<'a>>,
    parent: Vec<usize>,
    end: Vec<usize>,
    /// Text length, whitespace runs counted as one character.
    text_len: Vec<usize>,
    /// Text length inside links.
    link_len: Vec<usize>,
    commas: Vec<usize>,
    /// Whether the subtree holds a block element (below the node itself).
    has_block: Vec<bool>,
    /// Left out after measuring (a `<form>` that is not an article wrapper).
    dropped: Vec<bool>,
}

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Inline (phrasing) elements, which class and id patterns never drop.
fn is_phrasing(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
    )
}

/// Class and id as the class/id patterns see them.
fn class_id(el: &scraper::node::Element) -> String {
    let mut s = String::new();
    for attr in ["class", "id"] {
        if let Some(v) = el.attr(attr) {
            if !s.is_empty() {
                s.push(' ');
            }
            s.extend(v.chars().map(|c| match c {
                '_' => '-',
                c => c.to_ascii_lowercase(),
            }));
        }
    }
    s
}

/// Elements the class, id and role patterns never drop: the article itself.
fn protected(el: &scraper::node::Element) -> bool {
    matches!(el.name(), "html" | "body" | "article" | "main")
        || el
            .attr("role")
            .is_some_and(|r| r.eq_ignore_ascii_case("main"))
        || el
            .attr("itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
}

fn hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some()
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    el.attr("style").is_some_and(|style| {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Whether an element is page furniture, dropped with all it holds.
fn furniture(el: &scraper::node::Element, rules: &HtmlRules) -> bool {
    let tag = el.name();
    if rules.drop_tags.contains(tag) {
        return true;
    }
    if hidden(el) && tag != "html" && tag != "body" {
        return true;
    }
    if protected(el) {
        return false;
    }
    if let Some(role) = el.attr("role") {
        if rules.drop_roles.contains(&role.trim().to_ascii_lowercase()) {
            return true;
        }
    }
    // Class and id patterns judge containers; a <span class="tag"> inside a
    // sentence is part of the sentence.
    if is_phrasing(tag) {
        return false;
    }
    let names = class_id(el);
    !names.is_empty() && rules.unlikely.is_match(&names) && !rules.maybe.is_match(&names)
}

/// Counts characters as rendered (whitespace runs as one) and commas, of any
/// script's comma.
fn measure(text: &str) -> (usize, usize) {
    let (mut len, mut commas, mut space) = (0, 0, false);
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                len += 1;
            }
            space = true;
            continue;
        }
        space = false;
        len += 1;
        if matches!(
            c,
            ',' | '\u{060C}'
                | '\u{FE50}'
                | '\u{FE10}'
                | '\u{FE11}'
                | '\u{2E41}'
                | '\u{2E34}'
                | '\u{2E32}'
                | '\u{FF0C}'
        ) {
            commas += 1;
        }
    }
    (len, commas)
}

/// Minimum text length of a paragraph that counts towards its containers' scores.
const MIN_PARAGRAPH: usize = 25;
/// Paragraphs (of at least [`MIN_PARAGRAPH`]) a `<form>` must hold to be kept as
/// an article wrapper (as on ASP.NET sites) rather than dropped as a form.
const FORM_PARAGRAPHS: usize = 3;
/// Blocks inside the article whose text is more than this share links are
/// dropped (link lists, "related" boxes, share bars).
const MAX_LINK_DENSITY: f64 = 0.5;
/// Only blocks shorter than this are dropped for reading like "Read also:".
const DROP_TEXT_MAX: usize = 300;

/// Content scores of an HTML tree's nodes ([`Flat::scores`]).
struct Scores {
    score: Vec<f64>,
    /// Whether the node was scored (a candidate).
    scored: Vec<bool>,
    /// The scored nodes, in the order they were first scored.
    candidates: Vec<usize>,
}

impl<'a> Flat<'a> {
    fn build(dom: &'a Html, rules: &HtmlRules) -> Flat<'a> {
        let mut items = Vec::new();
        let mut parent = Vec::new();
        let mut stack = Vec::new();
        let root = dom.tree.root();
        let mut child = root.last_child();
        while let Some(c) = child {
            stack.push((c, NONE));
            child = c.prev_sibling();
        }
        while let Some((node, up)) = stack.pop() {
            let item = match node.value() {
                Node::Text(t) => Item::Text(&t.text),
                Node::Element(el) if !furniture(el, rules) => Item::Element(el),
                _ => continue,
            };
            let here = items.len();
            let is_element = matches!(item, Item::Element(_));
            items.push(item);
            parent.push(up);
            if is_element {
                let mut child = node.last_child();
                while let Some(c) = child {
                    stack.push((c, here));
                    child = c.prev_sibling();
                }
            }
        }
        let n = items.len();
        let mut flat = Flat {
            items,
            parent,
            end: (0..n).map(|i| i + 1).collect(),
            text_len: vec![0; n],
            link_len: vec![0; n],
            commas: vec![0; n],
            has_block: vec![false; n],
            dropped: vec![false; n],
        };
        flat.measure_all();
        flat
    }

    fn tag(&self, i: usize) -> &str {
        match self.items[i] {
            Item::Element(el) => el.name(),
            Item::Text(_) => "",
        }
    }

    /// The post-order pass: children come after their parent in pre-order, so
    /// a reverse loop sees every node complete before adding it to its parent.
    fn measure_all(&mut self) {
        let mut paragraphs = vec![0usize; self.items.len()];
        for i in (0..self.items.len()).rev() {
            let tag = match self.items[i] {
                Item::Text(t) => {
                    let (len, commas) = measure(t);
                    self.text_len[i] = len;
                    self.commas[i] = commas;
                    ""
                }
                Item::Element(el) => el.name(),
            };
            if tag == "a" {
                self.link_len[i] = self.text_len[i];
            }
            if tag == "p" && self.text_len[i] >= MIN_PARAGRAPH {
                paragraphs[i] += 1;
            }
            if tag == "form" && paragraphs[i] < FORM_PARAGRAPHS {
                self.dropped[i] = true;
            }
            let up = self.parent[i];
            if up == NONE {
                continue;
            }
            self.end[up] = self.end[up].max(self.end[i]);
            if self.dropped[i] {
                continue;
            }
            self.text_len[up] += self.text_len[i];
            self.link_len[up] += self.link_len[i];
            self.commas[up] += self.commas[i];
            self.has_block[up] |= self.has_block[i] || is_block(tag);
            paragraphs[up] += paragraphs[i];
        }
    }

    fn link_density(&self, i: usize) -> f64 {
        if self.text_len[i] == 0 {
            0.0
        } else {
            self.link_len[i] as f64 / self.text_len[i] as f64
        }
    }

    fn class_weight(&self, i: usize, rules: &HtmlRules) -> f64 {
        let Item::Element(el) = self.items[i] else {
            return 0.0;
        };
        let mut weight = 0.0;
        for attr in ["class", "id"] {
            if let Some(v) = el.attr(attr) {
                let v = v.replace('_', "-");
                if rules.negative.is_match(&v) {
                    weight -= 25.0;
                }
                if rules.positive.is_match(&v) {
                    weight += 25.0;
                }
            }
        }
        weight
    }

    /// Readability's starting score of a container, by tag.
    fn tag_weight(tag: &str) -> f64 {
        match tag {
            "div" => 5.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        }
    }

    fn paragraph_like(&self, i: usize) -> bool {
        match self.tag(i) {
            "p" | "pre" | "td" => true,
            "div" | "section" | "article" | "main" | "blockquote" => !self.has_block[i],
            _ => false,
        }
    }

    /// The nodes whose text is the article: the best-scoring container and its
    /// qualifying siblings, or the whole body when nothing scores.
    fn content(&self, rules: &HtmlRules) -> Vec<usize> {
        let n = self.items.len();
        // Nodes inside a dropped subtree, found top-down (parents come first).
        let mut excluded = vec![false; n];
        for i in 0..n {
            let up = self.parent[i];
            excluded[i] = self.dropped[i] || (up != NONE && excluded[up]);
        }
        let scores = self.scores(&excluded, rules);
        let best =
            scores
                .candidates
                .iter()
                .copied()
                .fold(None, |best: Option<usize>, c| match best {
                    Some(b) if scores.score[b] >= scores.score[c] => Some(b),
                    _ => Some(c),
                });
        let Some(best) = best else {
            // Nothing reads like an article: take all the body has.
            let body = (0..n).find(|&i| self.tag(i) == "body" && !excluded[i]);
            return match body {
                Some(b) => vec![b],
                None => (0..n).filter(|&i| self.parent[i] == NONE).collect(),
            };
        };
        if self.parent[best] == NONE {
            return vec![best];
        }
        self.with_siblings(best, &scores, &excluded)
    }

    /// Readability-style scores: each paragraph-like node gives points to
    /// its ancestors (up to five levels, less the further up), and each
    /// candidate's score is then scaled down by its link density.
    fn scores(&self, excluded: &[bool], rules: &HtmlRules) -> Scores {
        let n = self.items.len();
        let mut score = vec![0.0f64; n];
        let mut scored = vec![false; n];
        let mut candidates = Vec::new();
        for (i, &out) in excluded.iter().enumerate() {
            if out || !self.paragraph_like(i) || self.text_len[i] < MIN_PARAGRAPH {
                continue;
            }
            let points = 1.0 + self.commas[i] as f64 + (self.text_len[i] / 100).min(3) as f64;
            let mut up = self.parent[i];
            for level in 0..5 {
                // The <html> element (no parent) never scores.
                if up == NONE || self.parent[up] == NONE {
                    break;
                }
                if !scored[up] {
                    scored[up] = true;
                    score[up] = Self::tag_weight(self.tag(up)) + self.class_weight(up, rules);
                    candidates.push(up);
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    _ => level as f64 * 3.0,
                };
                score[up] += points / divider;
                up = self.parent[up];
            }
        }
        for &c in &candidates {
            score[c] *= 1.0 - self.link_density(c);
        }
        Scores {
            score,
            scored,
            candidates,
        }
    }

    /// The best candidate and those of its siblings that score near it, share
    /// its class, or are paragraphs of prose, in document order.
    fn with_siblings(&self, best: usize, scores: &Scores, excluded: &[bool]) -> Vec<usize> {
        let (score, scored) = (&scores.score, &scores.scored);
        let up = self.parent[best];
        let threshold = (score[best] * 0.2).max(10.0);
        let best_class = match self.items[best] {
            Item::Element(el) => el.attr("class").unwrap_or(""),
            Item::Text(_) => "",
        };
        let mut chosen = Vec::new();
        let mut c = up + 1;
        while c < self.end[up] {
            let next = self.end[c];
            if c == best {
                chosen.push(c);
            } else if let (Item::Element(el), false) = (&self.items[c], excluded[c]) {
                let mut bonus = 0.0;
                let class = el.attr("class").unwrap_or("");
                if !class.is_empty() && class == best_class {
                    bonus = score[best] * 0.2;
                }
                let ld = self.link_density(c);
                let len = self.text_len[c];
                let keep = (scored[c] && score[c] + bonus >= threshold)
                    || (self.tag(c) == "p"
                        && ((len > 80 && ld < 0.25)
                            || (len > 0 && len <= 80 && ld == 0.0 && self.ends_sentence(c))));
                if keep {
                    chosen.push(c);
                }
            }
            c = next;
        }
        chosen
    }

    /// Whether a short paragraph has a sentence end (". " or a final ".").
    fn ends_sentence(&self, i: usize) -> bool {
        let text = self.text(i, DROP_TEXT_MAX);
        text.contains(". ") || text.ends_with('.')
    }

    /// The collapsed text of a subtree, up to about `limit` characters.
    fn text(&self, i: usize, limit: usize) -> String {
        let mut out = Blocks::default();
        for j in i..self.end[i] {
            if let Item::Text(t) = self.items[j] {
                out.push_text(t);
                if out.current.len() >= limit {
                    break;
                }
            }
        }
        out.current
    }

    /// Whether an element inside the article is a link list, share bar or
    /// "read also" line rather than article text.
    fn clutter(&self, i: usize, rules: &HtmlRules) -> bool {
        if self.dropped[i] {
            return true;
        }
        let conditional = matches!(
            self.tag(i),
            "div"
                | "section"
                | "ul"
                | "ol"
                | "dl"
                | "li"
                | "table"
                | "p"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "blockquote"
        );
        if !conditional || self.text_len[i] == 0 {
            return false;
        }
        if self.link_density(i) > MAX_LINK_DENSITY {
            return true;
        }
        // Only leaf blocks: their subtrees are disjoint, so reading their text
        // stays linear.
        !self.has_block[i]
            && self.text_len[i] < DROP_TEXT_MAX
            && rules.drop_text.is_match(&self.text(i, DROP_TEXT_MAX))
    }

    /// The article text: the chosen nodes' blocks, clutter left out.
    fn article(&self, rules: &HtmlRules) -> String {
        let mut out = Blocks::default();
        for top in self.content(rules) {
            // Ends of the block elements open around the current node.
            let mut open: Vec<usize> = Vec::new();
            let mut i = top;
            while i < self.end[top] {
                while open.last().is_some_and(|&e| e <= i) {
                    open.pop();
                    out.flush();
                }
                match self.items[i] {
                    Item::Text(t) => out.push_text(t),
                    Item::Element(el) => {
                        if i != top && self.clutter(i, rules) {
                            i = self.end[i];
                            continue;
                        }
                        let tag = el.name();
                        if tag == "br" {
                            out.line_break();
                        } else if is_block(tag) {
                            out.flush();
                            open.push(self.end[i]);
                        }
                    }
                }
                i += 1;
            }
            out.flush();
        }
        out.text
    }
}

/// Builds block-structured text: blocks separated by a blank line, whitespace
/// inside a block collapsed to single spaces.
#[derive(Default)]
struct Blocks {
    text: String,
    current: String,
    space: bool,
    /// `<br>`s since the last text: two in a row end a block.
    breaks: usize,
}

impl Blocks {
    fn push_text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.space = true;
                continue;
            }
            if self.space && !self.current.is_empty() {
                self.current.push(' ');
            }
            self.space = false;
            self.breaks = 0;
            self.current.push(c);
        }
    }

    fn line_break(&mut self) {
        self.breaks += 1;
        if self.breaks >= 2 {
            self.flush();
        } else {
            self.space = true;
        }
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(&self.current);
            self.current.clear();
        }
        self.space = false;
        self.breaks = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<&str> {
        text.split("\n\n").collect()
    }

    const PARAS: [&str; 4] = [
        "The ministry said on Thursday that talks with the delegation would resume in the capital next week, after a pause of several weeks.",
        "Officials from both sides met briefly at the border crossing, according to a statement, and agreed on a schedule for further meetings.",
        "A spokesman declined to comment on the terms, saying only that progress had been made & more work remained.",
        "The talks began in March, and have been interrupted twice since, most recently by a dispute over the agenda.",
    ];

    fn page(head: &str, body_before: &str, body_after: &str) -> String {
        let paras: String = PARAS
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let p = p.replace('&', "&amp;");
                if i == 1 {
                    // A "read also" line and a share bar inside the article body.
                    format!(
                        "<p>{p}</p>\n<p><strong>READ ALSO:</strong> <a href=\"/x\">Another story about something else entirely</a></p>\n<div class=\"share-bar\"><a href=\"#\">Facebook</a> <a href=\"#\">Twitter</a></div>\n"
                    )
                } else {
                    format!("<p>{p}</p>\n")
                }
            })
            .collect();
        format!(
            "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>Talks to resume next week | Example News</title>{head}\
             <style>p {{ color: red; }}</style><script>var x = \"<p>not text</p>\";</script></head>\
             <body><header><a href=\"/\">Example News</a><nav><ul><li><a href=\"/a\">World</a></li><li><a href=\"/b\">Politics</a></li></ul></nav></header>\
             <!-- a comment with words in it, which are not article text -->\
             {body_before}\
             <main><article><h1>Talks to resume next week</h1>\
             <div class=\"article-body\">\n{paras}</div>\
             <aside class=\"related\"><h3>Related stories</h3><ul><li><a href=\"/r1\">Earlier talks collapsed over agenda</a></li></ul></aside>\
             </article></main>\
             <div id=\"comments\"><p>I think this is a great article, thanks for writing it, really.</p></div>\
             <div class=\"newsletter-signup\"><p>Sign up for our daily newsletter, delivered every morning to your inbox.</p></div>\
             {body_after}\
             <footer><p>Copyright Example News, all rights reserved, 2024.</p></footer>\
             <noscript><p>Please enable JavaScript to read this page properly, thank you.</p></noscript>\
             </body></html>"
        )
    }

    #[test]
    fn keeps_exactly_the_article_paragraphs_in_order() {
        let html = page(
            "<meta property=\"article:published_time\" content=\"2024-02-08T19:04:00Z\">",
            "<div class=\"cookie-banner\"><p>We use cookies to improve your experience on this website, okay?</p></div>",
            "<div class=\"ad-slot\"><p>Advertisement</p></div>",
        );
        let found = extract(&html);
        assert_eq!(blocks(&found.text), PARAS.to_vec(), "{}", found.text);
        assert_eq!(found.title.as_deref(), Some("Talks to resume next week"));
        assert_eq!(found.published, NaiveDate::from_ymd_opt(2024, 2, 8));
    }

    #[test]
    fn date_from_time_element_and_json_ld() {
        let html = page(
            "",
            "<p>By A. Writer <time datetime=\"2023-11-30\">Nov 30</time></p>",
            "",
        );
        assert_eq!(
            extract(&html).published,
            NaiveDate::from_ymd_opt(2023, 11, 30)
        );
        let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"Talks set to resume","datePublished":"2022-05-06T10:00:00+02:00"}]}</script>"#;
        let found = extract(&page(ld, "<time datetime=\"2020-01-01\">x</time>", ""));
        assert_eq!(found.published, NaiveDate::from_ymd_opt(2022, 5, 6));
        assert_eq!(found.title.as_deref(), Some("Talks set to resume"));
        // Meta beats JSON-LD beats <time>; other meta names work too.
        let found = extract(&page(
            &format!("{ld}<meta name=\"parsely-pub-date\" content=\"2021-03-04\">"),
            "",
            "",
        ));
        assert_eq!(found.published, NaiveDate::from_ymd_opt(2021, 3, 4));
        let found = extract(&page(
            "<meta name=\"DC.date.issued\" content=\"2019-12-31\">",
            "",
            "",
        ));
        assert_eq!(found.published, NaiveDate::from_ymd_opt(2019, 12, 31));
        // An unreadable date is a warning, not a date.
        let found = extract(&page(
            "<meta name=\"date\" content=\"Thu, 8 Feb 2024\">",
            "",
            "",
        ));
        assert_eq!(found.published, None);
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    }

    #[test]
    fn title_and_url_from_meta() {
        let html = page(
            "<meta property=\"og:title\" content=\"  Talks   to resume \"><link rel=\"canonical\" href=\"https://example.com/talks\">",
            "",
            "",
        );
        let found = extract(&html);
        assert_eq!(found.title.as_deref(), Some("Talks to resume"));
        assert_eq!(found.url.as_deref(), Some("https://example.com/talks"));
        assert_eq!(
            headline_of("Example News - Strike hits the port city", None),
            "Strike hits the port city"
        );
    }

    #[test]
    fn entities_decoded_and_whitespace_collapsed() {
        let found = extract(
            "<html><body><p>Tom &amp; <span class=\"tag\">Jerry</span>&nbsp;met\r\n\t the &lt;press&gt; &#8212; and&#x20;left &eacute;t&eacute;.</p>\
             <ul><li>One  item</li><li>Two\nitems</li></ul><blockquote>A quote.</blockquote><h2>Sub head</h2></body></html>",
        );
        assert_eq!(
            found.text,
            "Tom & Jerry met the <press> \u{2014} and left été.\n\nOne item\n\nTwo items\n\nA quote.\n\nSub head"
        );
    }

    #[test]
    fn zero_width_and_bidi_controls_are_kept() {
        let text = "Zero\u{200b}width and \u{202e}bidi\u{202c} controls \u{2066}stay\u{2069} in the text, as given.";
        let found = extract(&format!("\u{feff}<p>{text}</p>"));
        assert_eq!(found.text, text);
    }

    #[test]
    fn br_pairs_split_blocks() {
        let found = extract("<div>First line<br>same block<br><br>Second block</div>");
        assert_eq!(found.text, "First line same block\n\nSecond block");
    }

    #[test]
    fn deep_nesting_finishes_and_keeps_the_text() {
        for tag in ["div", "b", "p", "span", "ul", "table", "i"] {
            let n = 60_000;
            let html = format!("<{tag}>").repeat(n) + "text" + &format!("</{tag}>").repeat(n);
            let found = extract(&html);
            assert_eq!(found.text, "text", "<{tag}>");
            // Unclosed, and with an article after the deep part.
            let html = format!("<{tag}>").repeat(n) + "deep";
            assert_eq!(extract(&html).text, "deep", "unclosed <{tag}>");
        }
        let html = "<div>".repeat(60_000) + "</div>".repeat(60_000).as_str() + "<p>after</p>";
        assert_eq!(extract(&html).text, "after");
    }

    #[test]
    fn piled_up_formatting_elements_stay_linear() {
        // Each unclosed <b> would be re-created in every later paragraph.
        // Closed by the </p>, they are all re-created in each later paragraph.
        let mut html = "<p>".to_string();
        html += &(0..5_000)
            .map(|i| format!("<b id={i}>"))
            .collect::<String>();
        html += "</p>";
        html += &"<p>x</p>".repeat(20_000);
        let found = extract(&html);
        assert_eq!(found.text.matches('x').count(), 20_000);
    }

    #[test]
    fn a_five_megabyte_page_is_read_in_one_pass() {
        let para = "<p>The committee met again on Tuesday, and members said the report, which runs to several hundred pages, would be published <a href=\"/r\">soon</a>.</p>\n";
        let n = 5_000_000 / para.len() + 1;
        let html = format!(
            "<html><body><nav><a href=\"/\">Home</a></nav><div class=\"story\">{}</div></body></html>",
            para.repeat(n)
        );
        assert!(html.len() > 5_000_000);
        let found = extract(&html);
        assert_eq!(found.text.split("\n\n").count(), n);
    }

    #[test]
    fn pages_without_article_text_are_error_documents() {
        let origin = Origin::default();
        for (html, reason) in [
            ("", "empty"),
            ("  \r\n\t ", "empty"),
            ("<html><head><title>Only a title</title></head><body></body></html>", "no article text"),
            ("<html><body><nav><a href=\"/\">Home</a></nav><script>var a = 1;</script></body></html>", "no article text"),
            ("<p>\u{200b}\u{200b} ... !!!</p>", "no article text"),
        ] {
            let doc = document("x", origin.clone(), html, Vec::new());
            let err = doc.error.as_deref().unwrap_or_default();
            assert!(err.contains(reason), "{html:?}: {err:?}");
            assert!(doc.text.is_empty());
        }
        let doc = document(
            "x",
            origin,
            "<html><head><meta name=\"pubdate\" content=\"2024-01-02\"></head><body><p>Hello world.</p></body></html>",
            vec!["a warning from decoding".into()],
        );
        assert!(doc.is_ok());
        assert_eq!(doc.text, "Hello world.");
        assert_eq!(doc.published_source, Some(DateSource::Meta));
        assert_eq!(doc.warnings.len(), 1);
    }

    #[test]
    fn builtin_rules_parse() {
        HtmlRules::builtin();
    }
}
