#!/usr/bin/env bash
# Regenerates the app icons: a "G" monogram on a dark teal rounded square.
# Needs ImageMagick (`convert`) with the DejaVu fonts, and python3 for the
# .icns container (a list of PNGs; ImageMagick 6 cannot write it).
# Tauri requires RGBA PNGs, hence the PNG32: prefixes.
set -euo pipefail
cd "$(dirname "$0")"

master=$(mktemp --suffix=.png)
trap 'rm -f "$master"' EXIT

convert -size 1024x1024 gradient:'#13625f-#093133' \
  \( -size 1024x1024 xc:black -fill white -draw 'roundrectangle 40,40 983,983 200,200' \) \
  -alpha off -compose CopyOpacity -composite -compose Over \
  -fill '#e9f6f4' -font DejaVu-Sans-Bold -pointsize 660 -gravity center -annotate +0+18 'G' \
  -fill '#4fd18b' -draw 'roundrectangle 712,736 812,836 50,50' \
  "PNG32:$master"

convert "$master" -resize 32x32 PNG32:32x32.png
convert "$master" -resize 128x128 PNG32:128x128.png
convert "$master" -resize 256x256 PNG32:128x128@2x.png
convert "$master" -resize 512x512 PNG32:icon.png
convert "$master" \( -clone 0 -resize 16x16 \) \( -clone 0 -resize 24x24 \) \( -clone 0 -resize 32x32 \) \
  \( -clone 0 -resize 48x48 \) \( -clone 0 -resize 64x64 \) \( -clone 0 -resize 256x256 \) -delete 0 icon.ico

# ICNS: "icns" + total length, then (type, length, PNG bytes) per size.
python3 - "$master" <<'PY'
import struct, subprocess, sys
master = sys.argv[1]
entries = [(b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 512), (b"ic14", 1024)]
chunks = []
for kind, size in entries:
    png = subprocess.run(["convert", master, "-resize", f"{size}x{size}", "PNG32:-"], check=True, capture_output=True).stdout
    chunks.append(kind + struct.pack(">I", 8 + len(png)) + png)
body = b"".join(chunks)
with open("icon.icns", "wb") as f:
    f.write(b"icns" + struct.pack(">I", 8 + len(body)) + body)
PY

# The web UI's favicon.
cp 32x32.png ../ui/public/favicon.png
