// tests/e2e/seatmap/png_reader: a minimal PNG decoder for the screenshots headless Chromium
// writes (8-bit RGB or RGBA, non-interlaced), enough to read pixel colours back. zlib inflates
// the IDAT stream; the five scanline filters are undone here. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::test {

struct rgb {
    int r = 0, g = 0, b = 0;
};

struct image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels;  // RGB, row-major, 3 bytes per pixel
    rgb at(int x, int y) const {
        auto i = (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3;
        return {pixels[i], pixels[i + 1], pixels[i + 2]};
    }
};

// The decoded image, or nullopt with `why` set for anything this reader does not handle.
std::optional<image> read_png(const std::string& bytes, std::string& why);

}  // namespace agentd::test
