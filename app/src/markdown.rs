//! Markdown as the knowledge store renders it: to HTML through pulldown-cmark, then through
//! ammonia's allow-list, so script, event handlers and `javascript:` links never reach a page.
//! Also the export of a workshop as a readable documentation in the order of its agenda.

use pulldown_cmark::{html, Options, Parser};
use srb_storage as st;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Sanitised HTML of a Markdown text. Remembered for the most recent texts: rendering and
/// sanitising is the largest cost of a workshop's documentation page, and the result depends on
/// the text alone, so the memo can never be stale and holds nothing another instance needs.
pub fn to_html(markdown: &str) -> String {
    static MEMO: std::sync::LazyLock<quick_cache::sync::Cache<String, std::sync::Arc<str>>> =
        std::sync::LazyLock::new(|| quick_cache::sync::Cache::new(4096));
    if let Some(html) = MEMO.get(markdown) {
        return html.to_string();
    }
    let html = render(markdown);
    MEMO.insert(markdown.to_owned(), std::sync::Arc::from(html.as_str()));
    html
}

fn render(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

/// A single line of user text inside generated Markdown: line breaks and the characters that
/// would start a heading, list or table are neutralised, so a title cannot restructure the
/// document.
fn inline(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    for (i, c) in flat.chars().enumerate() {
        if matches!(c, '|' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '\\')
            || (i == 0 && matches!(c, '#' | '-' | '+'))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn kind_label(kind: st::ContributionKind) -> &'static str {
    use st::ContributionKind::*;
    match kind {
        Observation => "Beobachtung",
        Question => "Frage",
        Idea => "Idee",
        Quote => "Zitat",
        Recommendation => "Empfehlung",
        Ambivalence => "Ambivalenz",
        Conclusion => "Fazit",
    }
}

pub fn format_label(format: st::WorkshopFormat) -> &'static str {
    match format {
        st::WorkshopFormat::Online => "digital",
        st::WorkshopFormat::InPerson => "in Präsenz",
        st::WorkshopFormat::Hybrid => "hybrid",
    }
}

fn names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn time_slot(s: &st::WorkshopSession) -> String {
    match (&s.starts_at, &s.ends_at) {
        (Some(a), Some(b)) => format!("{a} – {b} Uhr"),
        (Some(a), None) => format!("{a} Uhr"),
        _ => String::new(),
    }
}

/// The documentation of a workshop in Markdown: title and frame, the agenda as a table, then
/// every session in agenda order with its moderators, inputs and contributions in the order
/// they were captured.
pub fn workshop_markdown(
    workshop: &st::Workshop,
    sessions: &[st::WorkshopSession],
    contributions: &[st::Contribution],
    tags: &std::collections::HashMap<i64, Vec<String>>,
) -> String {
    use std::fmt::Write;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", inline(&workshop.title));
    let organisers = names(&workshop.organisers);
    let _ = write!(
        md,
        "{}, {}",
        workshop.held_on.format("%d.%m.%Y"),
        format_label(workshop.format)
    );
    if !organisers.is_empty() {
        let list: Vec<_> = organisers.iter().map(|o| inline(o)).collect();
        let _ = write!(md, ". Veranstaltet von {}", list.join(", "));
    }
    md.push_str(".\n\n");
    if let Some(d) = &workshop.description {
        let _ = writeln!(md, "{}\n", d.trim());
    }
    if !sessions.is_empty() {
        md.push_str("## Tagesablauf\n\n| Wann? | Was? | Wer? |\n|---|---|---|\n");
        for s in sessions {
            let who: Vec<_> = names(&s.moderators).iter().map(|m| inline(m)).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                time_slot(s),
                inline(&s.title),
                who.join(", ")
            );
        }
        md.push('\n');
    }
    for s in sessions {
        let own: Vec<_> = contributions
            .iter()
            .filter(|c| c.session_id == s.id)
            .collect();
        if s.kind == st::SessionKind::Break && own.is_empty() && s.description.is_none() {
            continue;
        }
        let _ = writeln!(md, "## {}\n", inline(&s.title));
        let mut frame = Vec::new();
        let slot = time_slot(s);
        if !slot.is_empty() {
            frame.push(slot);
        }
        let moderators = names(&s.moderators);
        if !moderators.is_empty() {
            let list: Vec<_> = moderators.iter().map(|m| inline(m)).collect();
            frame.push(format!("Moderation: {}", list.join(", ")));
        }
        if !frame.is_empty() {
            let _ = writeln!(md, "*{}*\n", frame.join(" · "));
        }
        let inputs = names(&s.inputs);
        if !inputs.is_empty() {
            md.push_str("**Inputs**\n\n");
            for i in &inputs {
                let _ = writeln!(md, "- {}", inline(i));
            }
            md.push('\n');
        }
        if let Some(d) = &s.description {
            let _ = writeln!(md, "{}\n", d.trim());
        }
        if !own.is_empty() {
            md.push_str("### Diskussion\n\n");
            for c in own {
                // Each contribution is one list item; its own line breaks stay inside the item.
                let body = c.body.trim().replace('\n', "\n  ");
                let _ = write!(md, "- **{}:** {}", kind_label(c.kind), body);
                if let Some(t) = tags.get(&c.id).filter(|t| !t.is_empty()) {
                    let list: Vec<_> = t.iter().map(|x| inline(x)).collect();
                    let _ = write!(md, " _({})_", list.join(", "));
                }
                md.push('\n');
            }
            md.push('\n');
        }
    }
    md
}

/// The same documentation as a standalone, sanitised HTML page.
pub fn workshop_html(title: &str, markdown: &str) -> String {
    let body = to_html(markdown);
    let title = ammonia::clean_text(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_handlers_are_removed() {
        let html = to_html(
            "Hallo <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) **fett**",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<strong>fett</strong>"), "{html}");
    }

    #[test]
    fn a_title_cannot_restructure_the_document() {
        assert_eq!(inline("# Titel\n| a |"), "\\# Titel \\| a \\|");
    }
}
