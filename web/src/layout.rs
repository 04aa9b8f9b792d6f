//! The frame of every page: `lang="de"`, a skip link, landmarks (banner, navigation, main,
//! contentinfo), one `h1` per page (the page's own).

use std::sync::LazyLock;

use maud::{html, Markup, DOCTYPE};

/// Where the stylesheet is served: the name carries the first bytes of its SHA-256, so a new
/// version gets a new name and the old one can be cached for good.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(super::CSS.as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("/assets/srb-{hash}.css")
});

pub fn page(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="de" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – srb-werkstatt" }
                link rel="stylesheet" href=(CSS_PATH.as_str());
            }
            body {
                a class="skip" href="#inhalt" { "Zum Inhalt springen" }
                header class="site" {
                    a class="brand" href="/" { "srb-werkstatt" }
                    nav aria-label="Hauptnavigation" {
                        ul {
                            li { a href="/suche" { "Suche" } }
                            li { a href="/workshops" { "Workshops" } }
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
                    aria-describedby="q-hinweis" autocomplete="off";
                button type="submit" { "Suchen" }
            }
            p id="q-hinweis" class="hint" {
                "Zum Beispiel „Kita-Sozialarbeit“, „KiSa Träger“ oder „Fachkräfte gewinnen“."
            }
        }
    }
}
