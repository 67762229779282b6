#include "png_reader.hpp"

#include <zlib.h>

#include <cstdlib>
#include <cstring>

namespace agentd::test {
namespace {

std::uint32_t be32(const std::string& s, std::size_t at) {
    auto b = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(s[at + i])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

int paeth(int a, int b, int c) {
    int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

}  // namespace

std::optional<image> read_png(const std::string& bytes, std::string& why) {
    static const char k_sig[] = "\x89PNG\r\n\x1a\n";
    if (bytes.size() < 8 || bytes.compare(0, 8, k_sig, 8) != 0) {
        why = "not a PNG";
        return std::nullopt;
    }
    image img;
    int colour = -1, depth = 0, interlace = 0;
    std::string idat;
    for (std::size_t at = 8; at + 12 <= bytes.size();) {
        auto len = be32(bytes, at);
        auto type = bytes.substr(at + 4, 4);
        if (at + 12 + len > bytes.size()) break;
        if (type == "IHDR" && len >= 13) {
            img.width = int(be32(bytes, at + 8));
            img.height = int(be32(bytes, at + 12));
            depth = static_cast<unsigned char>(bytes[at + 16]);
            colour = static_cast<unsigned char>(bytes[at + 17]);
            interlace = static_cast<unsigned char>(bytes[at + 20]);
        } else if (type == "IDAT") {
            idat.append(bytes, at + 8, len);
        } else if (type == "IEND") {
            break;
        }
        at += 12 + len;
    }
    if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0 || img.width <= 0 || img.height <= 0) {
        why = "unsupported PNG (depth " + std::to_string(depth) + ", colour type " + std::to_string(colour) + ")";
        return std::nullopt;
    }
    const std::size_t bpp = colour == 6 ? 4 : 3, stride = std::size_t(img.width) * bpp;
    std::vector<std::uint8_t> raw((stride + 1) * std::size_t(img.height));
    uLongf out_len = uLongf(raw.size());
    if (uncompress(raw.data(), &out_len, reinterpret_cast<const Bytef*>(idat.data()), uLong(idat.size())) != Z_OK ||
        out_len != raw.size()) {
        why = "bad IDAT stream";
        return std::nullopt;
    }
    std::vector<std::uint8_t> prev(stride, 0), cur(stride);
    img.pixels.resize(std::size_t(img.width) * std::size_t(img.height) * 3);
    for (int y = 0; y < img.height; ++y) {
        const std::uint8_t* line = raw.data() + std::size_t(y) * (stride + 1);
        int filter = line[0];
        for (std::size_t i = 0; i < stride; ++i) {
            int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0, x = line[1 + i];
            switch (filter) {
            case 0: break;
            case 1: x += a; break;
            case 2: x += b; break;
            case 3: x += (a + b) / 2; break;
            case 4: x += paeth(a, b, c); break;
            default: why = "bad filter"; return std::nullopt;
            }
            cur[i] = std::uint8_t(x & 0xFF);
        }
        for (int px = 0; px < img.width; ++px)
            std::memcpy(&img.pixels[(std::size_t(y) * std::size_t(img.width) + std::size_t(px)) * 3], &cur[std::size_t(px) * bpp], 3);
        std::swap(prev, cur);
    }
    return img;
}

}  // namespace agentd::test
