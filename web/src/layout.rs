//! The frame of every page: `lang="de"`, a skip link, landmarks (banner, navigation, main,
//! contentinfo), one `h1` per page (the page's own).

use std::sync::LazyLock;

use maud::{html, Markup, DOCTYPE};

use crate::session::Caller;

/// A value for a query string.
pub fn urlencode(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Where the stylesheet is served: the name carries the first bytes of its SHA-256, so a new
/// version gets a new name and the old one can be cached for good.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| hashed("srb", "css", super::CSS));
pub static LIVE_JS_PATH: LazyLock<String> = LazyLock::new(|| hashed("live", "js", super::LIVE_JS));

pub static UPLOAD_JS_PATH: LazyLock<String> =
    LazyLock::new(|| hashed("upload", "js", super::UPLOAD_JS));
pub static PREVIEW_JS_PATH: LazyLock<String> =
    LazyLock::new(|| hashed("preview", "js", super::PREVIEW_JS));
pub static SUGGEST_JS_PATH: LazyLock<String> =
    LazyLock::new(|| hashed("suggest", "js", super::SUGGEST_JS));
pub static EXPLORER_JS_PATH: LazyLock<String> =
    LazyLock::new(|| hashed("explorer", "js", include_str!("../assets/explorer.js")));

fn hashed(stem: &str, ext: &str, content: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(content.as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("/assets/{stem}-{hash}.{ext}")
}

/// A page for `caller`: the header offers sign-in, or the account and sign-out.
pub fn page(caller: &Caller, title: &str, content: Markup) -> Markup {
    frame(Some(caller), title, content)
}

/// A page with room for a form and its preview side by side.
pub fn wide_page(caller: &Caller, title: &str, content: Markup) -> Markup {
    frame_in(Some(caller), title, content, Some("wide"))
}

/// A page that may be shown before the caller is known (404, 500).
pub fn bare(title: &str, content: Markup) -> Markup {
    frame(None, title, content)
}

fn frame(caller: Option<&Caller>, title: &str, content: Markup) -> Markup {
    frame_in(caller, title, content, None)
}

fn frame_in(
    caller: Option<&Caller>,
    title: &str,
    content: Markup,
    body_class: Option<&str>,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="de" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – srb-werkstatt" }
                link rel="stylesheet" href=(CSS_PATH.as_str());
            }
            body class=[body_class] {
                a class="skip" href="#inhalt" { "Zum Inhalt springen" }
                header class="site" {
                    a class="brand" href="/" { "srb-werkstatt" }
                    nav aria-label="Hauptnavigation" {
                        ul {
                            li { a href="/suche" { "Suche" } }
                            li { a href="/bezirke" { "Bezirke" } }
                            li { a href="/monitoring" { "Monitoring" } }
                            li { a href="/workshops" { "Workshops" } }
                            li { a href="/profile" { "Aufgabenprofile" } }
                            li { a href="/ideen" { "Ideen" } }
                            li { a href="/kooperationen" { "Kooperationen" } }
                        }
                    }
                    @if let Some(c) = caller {
                        div class="account" {
                            @if let Some(name) = c.name() {
                                a href="/konto" { "Konto: " (name) }
                                form method="post" action="/abmelden" class="inline" {
                                    input type="hidden" name="token" value=(c.form_token());
                                    button type="submit" class="link" { "Abmelden" }
                                }
                            } @else {
                                a href={ "/anmelden?weiter=" (urlencode(&c.here)) } { "Anmelden" }
                            }
                        }
                    }
                }
                main id="inhalt" tabindex="-1" { (content) }
                footer class="site" {
                    p {
                        "srb-werkstatt: Planung, Erklärung und Monitoring des Kita-Sozialraumbudgets "
                        "der 41 Jugendamtsbezirke in Rheinland-Pfalz (§ 25 Abs. 5 KiTaG)."
                    }
                }
            }
        }
    }
}

/// A document for paper (the committee paper): no navigation, the stylesheet's print rules.
pub fn print(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="de" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – srb-werkstatt" }
                link rel="stylesheet" href=(CSS_PATH.as_str());
            }
            body class="paper" {
                main id="inhalt" { (content) }
            }
        }
    }
}

/// A page that only says something: not found, an error, a refusal.
pub fn message(heading: &str, text: &str, reference: Option<&str>) -> Markup {
    html! {
        h1 { (heading) }
        p { (text) }
        @if let Some(r) = reference {
            p { "Referenz: " code { (r) } }
        }
        p { a href="/" { "Zur Startseite" } " · " a href="/suche" { "Zur Suche" } }
    }
}

/// The search form, on the start page and above the results.
pub fn search_form(query: &str) -> Markup {
    html! {
        form class="search" role="search" action="/suche" method="get" {
            label for="q" { "Suchbegriff" }
            div class="row" {
                input type="search" id="q" name="q" value=(query) maxlength="500"
                    aria-describedby="q-hinweis" autocomplete="off" list="q-vorschlaege";
                datalist id="q-vorschlaege" {}
                button type="submit" { "Suchen" }
            }
            p id="q-hinweis" class="hint" {
                "Zum Beispiel „Kita-Sozialarbeit“, „KiSa Träger“ oder „Fachkräfte gewinnen“."
            }
        }
        script src=(SUGGEST_JS_PATH.as_str()) defer {}
    }
}
