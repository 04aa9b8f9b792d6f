//! Charts as server-rendered SVG (plotters), each with a text alternative that says what it
//! shows and its data as a table. Colours from the Okabe–Ito palette, which readers with the
//! common colour-vision deficiencies can tell apart; meaning never rests on colour alone.

use maud::{html, Markup, PreEscaped};
use plotters::prelude::*;

/// Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky blue.
const COLOURS: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
];
const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
const GRID: RGBColor = RGBColor(0xc8, 0xc8, 0xc8);
const SIZE: (u32, u32) = (640, 380);

/// German number with `digits` after the comma, for axis labels.
pub fn de(v: f64, digits: usize) -> String {
    crate::numbers::decimal(&format!("{v:.digits$}"), digits as u32)
}

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// The SVG, named for assistive technology; `None` if plotters could not draw it (logged).
fn svg(label: &str, draw: impl FnOnce(&mut String) -> Result<(), String>) -> Markup {
    let mut out = String::new();
    // Plotters asserts on some degenerate ranges; a chart that cannot be drawn must not cost
    // the page.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| draw(&mut out)))
        .unwrap_or_else(|_| Err("plotters panicked".into()));
    if let Err(e) = drawn {
        tracing::warn!(error = %e, "chart not drawn");
        return html! { p class="hint" { "Das Diagramm konnte nicht gezeichnet werden; die Daten stehen in der Tabelle." } };
    }
    let escaped = maud::html! { (label) }.into_string().replace('"', "&quot;");
    let named = out.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{escaped}\" focusable=\"false\" "),
        1,
    );
    // Plotters writes three decimals for every coordinate; one is plenty on screen and paper.
    // SVG's defaults (full opacity, no stroke) need not be written out for every element.
    PreEscaped(
        shorten(&named)
            .replace(" opacity=\"1\"", "")
            .replace(" stroke=\"none\"", ""),
    )
}

/// Coordinates like `123.456` become `123.5` (inside tags only, never in text): a third of the
/// bytes of a dense chart.
fn shorten(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut in_tag = false;
    let mut chars = svg.chars().peekable();
    let mut prev_digit = false;
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '.' if in_tag && prev_digit => {
                // Keep one digit after the point, drop the rest.
                if let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
                while chars.next_if(char::is_ascii_digit).is_some() {}
            }
            _ => {}
        }
        prev_digit = c.is_ascii_digit();
    }
    out
}

fn figure(id: &str, title: &str, alt: &str, chart: Markup, table: Markup) -> Markup {
    html! {
        figure class="chart" id=(id) {
            (chart)
            figcaption { strong { (title) } ". " (alt) }
            details {
                summary { "Daten des Diagramms als Tabelle" }
                (table)
            }
        }
    }
}

/// The Lorenz curve of euros per place: Kitas from least to most euros per place; how much of
/// the money the first x % of the places get. `kitas`: (places, euros).
pub fn lorenz(kitas: &[(f64, f64)]) -> Markup {
    let mut sorted: Vec<(f64, f64)> = kitas.iter().copied().filter(|(p, _)| *p > 0.0).collect();
    sorted.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
    let places: f64 = sorted.iter().map(|k| k.0).sum();
    let euros: f64 = sorted.iter().map(|k| k.1).sum();
    if places <= 0.0 || euros <= 0.0 {
        return html! { p { "Keine Verteilung zu zeigen." } };
    }
    let mut points = vec![(0.0, 0.0)];
    let (mut p, mut e) = (0.0, 0.0);
    for (kp, ke) in &sorted {
        p += kp;
        e += ke;
        points.push((p / places, e / euros));
    }
    // The share of the money at each tenth of the places, for the table and the text.
    let at = |x: f64| {
        let i = points
            .iter()
            .position(|q| q.0 >= x)
            .unwrap_or(points.len() - 1);
        if i == 0 {
            return 0.0;
        }
        let (a, b) = (points[i - 1], points[i]);
        if b.0 - a.0 <= f64::EPSILON {
            b.1
        } else {
            a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
        }
    };
    let tenths: Vec<(f64, f64)> = (1..=10)
        .map(|t| (t as f64 / 10.0, at(t as f64 / 10.0)))
        .collect();
    let half = at(0.5);
    let alt = format!(
        "Die Hälfte der Plätze mit den geringsten Beträgen je Platz erhält {} % der Mittel; bei gleicher Verteilung wären es 50 %. Je weiter die Kurve unter der Diagonale liegt, desto stärker ist die Verteilung auf einzelne Kitas konzentriert.",
        de(half * 100.0, 1)
    );
    let chart = svg("Lorenzkurve der Euro je Platz", |out| {
        let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .max_light_lines(1)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .x_desc("Anteil der Plätze (aufsteigend nach Euro je Platz)")
            .y_desc("Anteil der Mittel")
            .x_label_formatter(&|v| format!("{} %", de(v * 100.0, 0)))
            .y_label_formatter(&|v| format!("{} %", de(v * 100.0, 0)))
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GRID.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
        c.draw_series(LineSeries::new(
            points.iter().copied(),
            COLOURS[0].stroke_width(3),
        ))
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let table = html! {
        table {
            caption { "Anteil der Mittel je Zehntel der Plätze" }
            thead { tr { th scope="col" class="num" { "Plätze" } th scope="col" class="num" { "Mittel" } } }
            tbody { @for (x, y) in &tenths { tr { td class="num" { (de(x * 100.0, 0)) " %" } td class="num" { (de(y * 100.0, 1)) " %" } } } }
        }
    };
    figure("lorenz", "Lorenzkurve", &alt, chart, table)
}

/// Need index against euros per place, one point per Kita with an index that may be shown.
/// `kitas`: (name, index, euros per place).
pub fn need_scatter(kitas: &[(String, f64, f64)]) -> Markup {
    if kitas.is_empty() {
        return html! { p { "Keine Kita mit zeigbarem Bedarfsindex." } };
    }
    let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0f64);
    for (_, x, y) in kitas {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    if x1 - x0 < 1e-9 {
        x1 = x0 + 1.0;
    }
    let pad = (x1 - x0) * 0.05;
    let top = (y1 * 1.1).max(1.0);
    let alt = format!(
        "{} Kitas: je weiter rechts, desto höher der Bedarf; je höher, desto mehr Euro je Platz. Folgt die Verteilung dem Bedarf, steigen die Punkte nach rechts an.",
        kitas.len()
    );
    let chart = svg("Bedarfsindex und Euro je Platz", |out| {
        let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), 0f64..top)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .max_light_lines(1)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .x_desc("Bedarfsindex")
            .y_desc("Euro je Platz")
            .x_label_formatter(&|v| de(*v, 2))
            .y_label_formatter(&|v| de(*v, 0))
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(
            kitas
                .iter()
                .map(|(_, x, y)| Circle::new((*x, *y), 3, COLOURS[0].filled())),
        )
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let table = html! {
        table {
            caption { "Bedarfsindex und Euro je Platz je Kita" }
            thead { tr { th scope="col" { "Kita" } th scope="col" class="num" { "Index" } th scope="col" class="num" { "Euro je Platz" } } }
            tbody { @for (n, x, y) in kitas { tr { td { (n) } td class="num" { (de(*x, 3)) } td class="num" { (de(*y, 2)) " €" } } } }
        }
    };
    figure("bedarf", "Bedarf und Euro je Platz", &alt, chart, table)
}

/// Horizontal bars: one per label, values in euros (pillar split) or index points (a Kita's
/// indicators); negative values to the left. Colours only support the signs and labels.
pub fn bars(id: &str, title: &str, alt: &str, unit: &str, items: &[(String, f64)]) -> Markup {
    if items.is_empty() {
        return html! {};
    }
    let lo = items.iter().map(|i| i.1).fold(0f64, f64::min);
    let hi = items.iter().map(|i| i.1).fold(0f64, f64::max);
    let span = (hi - lo).max(1e-9);
    let (lo, hi) = (
        lo - if lo < 0.0 { span * 0.08 } else { 0.0 },
        hi + span * 0.08,
    );
    let n = items.len();
    let height = (60 + 34 * n as u32).max(140);
    let money = unit == "€";
    let digits = if money { 0 } else { 3 };
    let label = |v: f64| {
        if money {
            format!("{} €", de(v, 0))
        } else {
            de(v, digits)
        }
    };
    let chart = svg(title, |out| {
        let root = SVGBackend::with_string(out, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let names: Vec<String> = items.iter().map(|i| i.0.clone()).collect();
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(200)
            .build_cartesian_2d(lo..hi, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .max_light_lines(1)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_y_mesh()
            .label_style(font(13))
            .x_labels(5)
            .x_label_formatter(&|v| label(*v))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    names.get(*i).map(|s| short(s, 30)).unwrap_or_default()
                }
                _ => String::new(),
            })
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(items.iter().enumerate().map(|(i, (_, v))| {
            let colour = if *v < 0.0 { COLOURS[3] } else { COLOURS[i % 3] };
            let (a, b) = if *v < 0.0 { (*v, 0.0) } else { (0.0, *v) };
            Rectangle::new(
                [(a, SegmentValue::Exact(i)), (b, SegmentValue::Exact(i + 1))],
                colour.filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let table = html! {
        table {
            caption { (title) }
            thead { tr { th scope="col" { "Posten" } th scope="col" class="num" { "Wert" } } }
            tbody { @for (name, v) in items { tr { td { (name) } td class="num" { (label(*v)) } } } }
        }
    };
    figure(id, title, alt, chart, table)
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// Every Kita's change against last year, from the largest loss to the largest gain, as one
/// line: how many gain, how many lose, by how much. `changes`: euros.
pub fn changes(changes: &[(String, f64)]) -> Markup {
    if changes.is_empty() {
        return html! { p { "Kein Vorjahresplan zum Vergleich." } };
    }
    let mut sorted: Vec<f64> = changes.iter().map(|c| c.1).collect();
    sorted.sort_by(f64::total_cmp);
    let gain = sorted.iter().filter(|v| **v > 0.005).count();
    let lose = sorted.iter().filter(|v| **v < -0.005).count();
    let lo = sorted[0].min(0.0);
    let hi = sorted[sorted.len() - 1].max(0.0);
    let span = (hi - lo).max(1.0);
    let alt = format!(
        "{gain} Kitas bekommen mehr als im Vorjahr, {lose} weniger, {} gleich viel. Größter Verlust {} €, größter Zuwachs {} €.",
        sorted.len() - gain - lose,
        de(lo, 0),
        de(hi, 0)
    );
    let chart = svg("Veränderung gegenüber dem Vorjahr je Kita", |out| {
        let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(
                0f64..sorted.len() as f64,
                (lo - span * 0.05)..(hi + span * 0.05),
            )
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .max_light_lines(1)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .x_desc("Kitas, vom größten Verlust zum größten Zuwachs")
            .y_desc("Veränderung in Euro")
            .x_label_formatter(&|v| de(*v, 0))
            .y_label_formatter(&|v| de(*v, 0))
            .draw()
            .map_err(|e| e.to_string())?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (sorted.len() as f64, 0.0)],
            INK.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
        c.draw_series(
            AreaSeries::new(
                sorted.iter().enumerate().map(|(i, v)| (i as f64 + 0.5, *v)),
                0.0,
                COLOURS[0].mix(0.35),
            )
            .border_style(COLOURS[0].stroke_width(2)),
        )
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let mut listed: Vec<&(String, f64)> = changes.iter().collect();
    listed.sort_by(|a, b| a.1.total_cmp(&b.1));
    let table = html! {
        table {
            caption { "Veränderung je Kita, vom größten Verlust zum größten Zuwachs" }
            thead { tr { th scope="col" { "Kita" } th scope="col" class="num" { "Veränderung" } } }
            tbody { @for (n, v) in listed { tr { td { (n) } td class="num" { (de(*v, 2)) " €" } } } }
        }
    };
    figure(
        "veraenderung",
        "Veränderung gegenüber dem Vorjahr",
        &alt,
        chart,
        table,
    )
}

/// Values per year side by side (e.g. allocated and drawn), one colour per series with a
/// legend; the data as a table. `unit`: "€" for money, else a number with `digits`.
pub fn years(
    id: &str,
    title: &str,
    alt: &str,
    unit: &str,
    years: &[i32],
    series: &[(&str, Vec<Option<f64>>)],
) -> Markup {
    if years.is_empty() || series.is_empty() {
        return html! {};
    }
    let money = unit == "€";
    let label = move |v: f64| {
        if money {
            format!("{} €", de(v, 0))
        } else {
            de(v, 2)
        }
    };
    let hi = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .fold(0f64, |a, b| a.max(*b))
        .max(1e-9)
        * 1.1;
    let groups = years.len();
    let width = series.len();
    let chart = svg(title, |out| {
        let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(110)
            .build_cartesian_2d(0f64..groups as f64, 0f64..hi)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .label_style(font(13))
            .x_labels(groups)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                years.get(i).map(|y| y.to_string()).unwrap_or_default()
            })
            .y_labels(5)
            .y_label_formatter(&|v| {
                if money {
                    format!("{} Mio €", de(*v / 1e6, 1))
                } else {
                    de(*v, 0)
                }
            })
            .draw()
            .map_err(|e| e.to_string())?;
        for (s, (name, values)) in series.iter().enumerate() {
            let colour = COLOURS[s % COLOURS.len()];
            c.draw_series(values.iter().enumerate().filter_map(|(g, v)| {
                let v = (*v)?;
                let left = g as f64 + 0.1 + 0.8 * s as f64 / width as f64;
                let right = left + 0.8 / width as f64 - 0.02;
                Some(Rectangle::new([(left, 0.0), (right, v)], colour.filled()))
            }))
            .map_err(|e| e.to_string())?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled()));
        }
        c.configure_series_labels()
            .label_font(font(13))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let table = html! {
        table {
            caption { (title) }
            thead { tr { th scope="col" { "Jahr" } @for (name, _) in series { th scope="col" class="num" { (name) } } } }
            tbody { @for (g, y) in years.iter().enumerate() { tr {
                th scope="row" { (y) }
                @for (_, values) in series { td class="num" { (values.get(g).copied().flatten().map(label).unwrap_or_else(|| "–".into())) } }
            } } }
        }
    };
    figure(id, title, alt, chart, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_svg() {
        assert_eq!(de(1234567.891, 2), "1.234.567,89");
        assert_eq!(de(-0.5, 1), "−0,5");
        assert_eq!(
            shorten("<a x=\"12.3456\" y=\"7\">Größe 1.250</a>"),
            "<a x=\"12.3\" y=\"7\">Größe 1.250</a>"
        );
        let chart = lorenz(&[(50.0, 1000.0), (100.0, 4000.0), (25.0, 100.0)]).into_string();
        assert!(
            chart.contains("<svg role=\"img\" aria-label=\"Lorenzkurve"),
            "{chart}"
        );
        assert!(chart.contains("<table>"));
    }
}
