// The store's checkpoint; see store_checkpoint.hpp.
#include "mdrec/store/store_checkpoint.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::store {

namespace {

result<void> write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + path + ": " + errno_text(errno));
        done += static_cast<std::size_t>(n);
    }
    return {};
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string checkpoint_path(const std::string& out_dir, const std::string& consumer) {
    return out_dir + "/.mdrec-store-" + consumer + ".json";
}

result<std::optional<checkpoint>> read_checkpoint(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<checkpoint>{};
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read the checkpoint " + path + ": " + errno_text(errno));
    std::stringstream text;
    text << in.rdbuf();
    const std::string body = text.str();
    const auto bad = [&](const char* why) {
        return fail("the checkpoint " + path + " is damaged (" + why +
                    "); move it away only if the files under --out may hold lines twice");
    };
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc) != simdjson::SUCCESS) return bad("not JSON");
    checkpoint cp;
    std::string_view stream;
    std::string_view consumer;
    std::uint64_t sequence = 0;
    simdjson::dom::object files;
    if (doc["stream"].get(stream) || doc["consumer"].get(consumer) ||
        doc["sequence"].get(sequence) || doc["files"].get(files)) {
        return bad("stream, consumer, sequence or files missing");
    }
    cp.stream = stream;
    cp.consumer = consumer;
    cp.sequence = sequence;
    for (auto [key, value] : files) {
        std::uint64_t size = 0;
        if (value.get(size)) return bad("a file size is not a number");
        const std::string_view name = key;
        if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) {
            return bad("a file path outside --out");
        }
        cp.files.emplace(std::string(name), size);
    }
    simdjson::dom::array held;
    if (doc["held"].get(held) == simdjson::SUCCESS) {  // absent in checkpoints before it
        for (auto range : held) {
            std::uint64_t first = 0;
            std::uint64_t last = 0;
            simdjson::dom::array pair;
            if (range.get(pair) || pair.size() != 2 || pair.at(0).get(first) ||
                pair.at(1).get(last) || first > last || last > sequence ||
                (!cp.held.empty() && first <= cp.held.back().second)) {
                return bad("a held range is not [first,last] in order up to the sequence");
            }
            cp.held.emplace_back(first, last);
        }
    }
    return std::optional<checkpoint>(std::move(cp));
}

std::string format_checkpoint(const checkpoint& cp) {
    std::string out = "{\"stream\":";
    record::append_json_string(out, cp.stream);
    out += ",\"consumer\":";
    record::append_json_string(out, cp.consumer);
    out += ",\"sequence\":" + std::to_string(cp.sequence) + ",\"files\":{";
    bool first = true;
    for (const auto& [name, size] : cp.files) {
        if (!first) out += ',';
        first = false;
        record::append_json_string(out, name);
        out += ':' + std::to_string(size);
    }
    out += "},\"held\":[";
    first = true;
    for (const auto& [from, to] : cp.held) {
        if (!first) out += ',';
        first = false;
        out += '[' + std::to_string(from) + ',' + std::to_string(to) + ']';
    }
    out += "]}\n";
    return out;
}

result<void> write_checkpoint(const std::string& path, const checkpoint& cp) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + tmp + ": " + errno_text(errno));
    auto written = write_all(fd, format_checkpoint(cp), tmp);
    if (written && ::fsync(fd) != 0)
        written = fail("cannot fsync " + tmp + ": " + errno_text(errno));
    ::close(fd);
    MDREC_TRY(written);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        return fail("cannot rename " + tmp + ": " + errno_text(errno));
    }
    const std::string dir = parent_of(path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return fail("cannot open " + dir + ": " + errno_text(errno));
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0 && err != EINVAL) return fail("cannot fsync " + dir + ": " + errno_text(err));
    return {};
}

result<std::uint64_t> truncate_to_checkpoint(const std::string& out_dir, const checkpoint& cp) {
    std::uint64_t cut = 0;
    for (const auto& [name, size] : cp.files) {
        const std::string path = out_dir + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT && size == 0) continue;  // listed before it was created
            return fail("cannot find " + path + ", which the checkpoint says holds " +
                        std::to_string(size) +
                        " bytes of acknowledged lines: " + errno_text(errno));
        }
        const auto now = static_cast<std::uint64_t>(st.st_size);
        if (now == size) continue;
        if (now < size) {
            return fail(path + " is shorter (" + std::to_string(now) + " bytes) than the " +
                        std::to_string(size) +
                        " bytes of acknowledged lines the checkpoint "
                        "says it holds");
        }
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
        int rc = ::ftruncate(fd, static_cast<off_t>(size));
        if (rc == 0) rc = ::fdatasync(fd);
        const int err = errno;
        ::close(fd);
        if (rc != 0) return fail("cannot cut " + path + " back: " + errno_text(err));
        ++cut;
    }
    return cut;
}

}  // namespace mdrec::store
