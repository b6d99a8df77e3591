//! The sort picker: a box over the panes with every key and its direction, the cursor on the
//! one Enter picks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::mime::sanitize::{pad_width, truncate_width};
use crate::model::sort::SortKey;
use crate::ui::app::App;
use crate::ui::layout::picker_area;
use crate::ui::sort_picker::SortPicker;

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, p: &SortPicker) {
    let keys: Vec<SortKey> = SortKey::all().collect();
    let area = picker_area(screen, keys.len());
    let title = " Sort by · r reverses · Enter sorts · Esc cancels ";
    let body = super::overlay_box(frame, area, app, title);
    let width = body.width as usize;
    let reversed = if p.order.reverse { "reversed" } else { "" };
    let mut lines = vec![Line::styled(
        truncate_width(reversed, width),
        app.theme().dim,
    )];
    for key in keys {
        let text = format!("{:<9}{}", key.name(), key.direction(p.order.reverse));
        let text = pad_width(&text, width);
        lines.push(if key == p.order.key {
            Line::styled(text, app.theme().selected)
        } else {
            Line::raw(text)
        });
    }
    frame.render_widget(Paragraph::new(lines), body);
}
