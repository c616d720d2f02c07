// Gurumisha Console desktop entry point; everything happens in the library.
// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    gurumisha_console::run()
}
