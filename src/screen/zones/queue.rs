//! Who is waiting: per service, how many visitors wait and, when the queue system estimates it,
//! about how long; with `next_tickets = true` in the layout, the next tickets too. Only figures
//! the queue system sent are shown, and figures it stopped updating are hidden, not shown wrong
//! (filled by the shared refresh from the view).

use bevy::prelude::*;
use bevy::text::LineBreak;
use herald_core::design::Rect4;

use super::{Part, Pen, Slot, text, zone_node};

pub fn plugin(app: &mut App) {
    app.init_resource::<QueueFit>()
        // After the layout pass, when the rows' sizes are known.
        .add_systems(Last, fit_rows);
}

/// How many services fit in the queue zone for the rows it shows now. Long service names wrap,
/// so the number that fits depends on the words: the refresh shows every row the layout
/// allows for new figures, this system measures them after layout, and the refresh then
/// leaves out the rows that reach past the zone (a service left out is better than a figure
/// cut in half).
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFit {
    /// The rows' content (texts, language, screen) the figure below was measured for.
    pub key: u64,
    pub rows: Option<usize>,
    /// The content drawn now.
    pub drawn: u64,
}

impl QueueFit {
    /// Rows to show of content `key`: all of them until they have been measured.
    pub fn rows_for(&self, key: u64) -> Option<usize> {
        if self.key == key { self.rows } else { None }
    }
}

fn fit_rows(
    mut fit: ResMut<QueueFit>,
    parts: Query<(&Part, &ComputedNode, &UiGlobalTransform)>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    let Some(panel) = parts
        .iter()
        .find(|(p, node, _)| **p == Part::QueuePanel && node.size().y > 0.0)
        .map(|(_, node, at)| {
            at.translation.y + node.size().y / 2.0 - node.content_inset().max_inset.y
        })
    else {
        return;
    };
    let mut shown: Vec<(usize, f32)> = parts
        .iter()
        .filter_map(|(p, node, at)| match p {
            Part::QueueRow(i) if node.size().y > 0.0 => {
                Some((*i, at.translation.y + node.size().y / 2.0))
            }
            _ => None,
        })
        .collect();
    shown.sort_by_key(|(i, _)| *i);
    // The first row whose bottom passes the panel's inner edge, and every row after it, go.
    let keep = shown
        .iter()
        .position(|(_, bottom)| *bottom > panel + 0.5)
        .map(|first_out| shown[first_out].0);
    let measured = fit.rows_for(fit.drawn);
    let rows = match (keep, measured) {
        (Some(n), Some(old)) => Some(n.min(old)),
        (Some(n), None) => Some(n),
        (None, old) => old,
    };
    if fit.key != fit.drawn || rows != measured {
        let drawn = fit.drawn;
        *fit = QueueFit {
            key: drawn,
            rows,
            drawn,
        };
        if keep.is_some() {
            redraw.write(bevy::window::RequestRedraw);
        }
    }
}

/// The queue zone with room for `rows` services.
pub fn zone(rect: &Rect4, pen: &Pen, rows: usize) -> impl Bundle {
    let c = pen.colours;
    let row_pen = pen.clone();
    (
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(vw(1.8), vh(2.0)),
            border_radius: BorderRadius::all(vmin(2)),
            row_gap: vh(1.0),
            display: Display::None,
            ..zone_node(rect)
        },
        BackgroundColor(c.panel),
        Part::QueuePanel,
        Children::spawn((
            Spawn(text(
                Slot::QueueTitle,
                &pen.fonts.regular,
                pen.z.size(3.0),
                c.muted,
            )),
            SpawnIter((0..rows).map(move |i| row(&row_pen, i))),
        )),
    )
}

/// One service: its name, then "3 ľudia čakajú  asi 12 min", then the next tickets if listed.
fn row(pen: &Pen, i: usize) -> impl Bundle + use<> {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::bottom(vmin(0.6)),
            margin: UiRect::bottom(px(1)),
            ..default()
        },
        Part::QueueRow(i),
        children![
            super::rule_under(c.header, Val::ZERO),
            (
                text(Slot::QueueService(i), &f.regular, z.size(2.6), c.muted),
                TextLayout::linebreak(LineBreak::WordBoundary),
            ),
            // The count, and the estimate beside it or, when narrow, under it as a whole.
            (
                Node {
                    flex_direction: FlexDirection::Row,
                    flex_wrap: FlexWrap::Wrap,
                    align_items: AlignItems::Baseline,
                    column_gap: vw(1.0),
                    ..default()
                },
                children![
                    text(Slot::QueueCount(i), &f.bold, z.size(3.2), c.text),
                    text(Slot::QueueWait(i), &f.regular, z.size(2.8), c.accent),
                ],
            ),
            text(Slot::QueueNext(i), &f.regular, z.size(2.6), c.accent),
        ],
    )
}
