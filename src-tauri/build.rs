// Build script of the desktop shell. The package manifest is the repository
// root (so tauri.conf.json sits beside it), hence the explicit paths below.

include!("command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/command_names.rs");
    println!("cargo:rerun-if-changed=crates/api/src/commands.rs");
    println!("cargo:rerun-if-changed=ui/dist");
    assert!(
        std::path::Path::new("ui/dist/index.html").exists(),
        "ui/dist is missing: build the UI first (`npm --prefix ui ci && npm --prefix ui run build`); \
         the desktop app embeds it at compile time"
    );
    // Declared commands are denied unless a capability grants them: the main
    // window gets exactly `allow-<command>` for each (capabilities/default.json).
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/*.json")
            .app_manifest(tauri_build::AppManifest::new().commands(Box::leak(
                all_commands().collect::<Vec<_>>().into_boxed_slice(),
            ))),
    )
    .expect("tauri-build failed");
}
