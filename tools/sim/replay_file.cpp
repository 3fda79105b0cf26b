// mdrec-sim: loading of capture files (see replay_file.hpp).
// Format: first line "<url> <-> <unix seconds>", then "<unix seconds.fraction>: <frame>";
// the frame is everything after the first ": ", blank lines are ignored. The routing key
// ("stream") and the raw payload ("data") are located once here with simdjson.
#include "replay_file.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mdrec::sim {
namespace {

// Finds "stream" and the byte range of "data" inside one envelope; false if not an object.
bool index_frame(simdjson::ondemand::parser& parser, replay_frame& frame) {
    const simdjson::padded_string padded(frame.text);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object envelope;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(envelope)) return false;
    for (auto field : envelope) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        if (key == "stream") {
            std::string_view stream;
            if (field.value().get_string().get(stream)) return false;
            frame.stream = stream;
        } else if (key == "data") {
            // raw_json() spans the value itself; map it back onto the unpadded copy.
            std::string_view raw;
            simdjson::ondemand::value value = field.value();
            simdjson::ondemand::json_type type;
            if (value.type().get(type)) return false;
            if (type == simdjson::ondemand::json_type::object) {
                simdjson::ondemand::object object;
                if (value.get_object().get(object) || object.raw_json().get(raw)) return false;
            } else if (type == simdjson::ondemand::json_type::array) {
                simdjson::ondemand::array array;
                if (value.get_array().get(array) || array.raw_json().get(raw)) return false;
            } else {
                raw = value.raw_json_token();
            }
            while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
            frame.data_offset = static_cast<std::size_t>(raw.data() - padded.data());
            frame.data_size = raw.size();
        }
    }
    return true;
}

}  // namespace

replay_file replay_file::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open replay file " + path);

    replay_file file;
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error("replay file " + path + " is empty");
    file.source_url_ = line.substr(0, line.find(" <-> "));

    simdjson::ondemand::parser parser;
    double first_seconds = std::nan("");
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto separator = line.find(": ");
        double seconds = 0;
        const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), seconds);
        if (separator == std::string::npos || ec != std::errc{} || end != line.data() + separator) {
            ++file.skipped_lines_;
            continue;
        }
        if (std::isnan(first_seconds)) first_seconds = seconds;

        replay_frame frame;
        frame.text = line.substr(separator + 2);
        frame.offset = std::chrono::microseconds(std::llround((seconds - first_seconds) * 1e6));
        if (!index_frame(parser, frame) || frame.stream.empty()) {
            frame.stream.clear();
            ++file.unrouted_frames_;
        }
        file.frames_.push_back(std::move(frame));
    }
    if (file.frames_.empty()) throw std::runtime_error("replay file " + path + " holds no frame");
    return file;
}

}  // namespace mdrec::sim
