// The WebSocket frame layer of the read path (RFC 6455, client side): the socket's bytes go into
// one large buffer, a read at a time, and complete frames are decoded where they lie, so a
// message is parsed in place and copied only into the queue. Beast does the connection's HTTP
// upgrade; reading through Beast's stream cost one system call and one asynchronous operation
// per ~1.5 KB frame. No socket here: ws_session feeds it and acts on what it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::ingest {

struct ws_frame {
    enum class kind { message, ping, pong, close, error };
    kind type = kind::error;
    const char* data = nullptr;  // message/ping/pong: the payload; error: why (NUL-terminated)
    std::size_t size = 0;
    // message: bytes readable from `data` (at least size + the reader's padding)
    std::size_t capacity = 0;
    bool binary = false;            // message: opcode 2 (else text)
    std::uint16_t close_code = 0;   // close: 1005 when the frame carries none
    std::string_view close_reason;  // close
};

// A client frame (RFC 6455 5.3: always masked, with an unpredictable `mask`), FIN set: the pong,
// close and text messages a client sends. Any payload length.
std::string encode_client_frame(int opcode, std::string_view payload, std::uint32_t mask);

class ws_frame_reader {
  public:
    // Messages longer than `max_message_bytes` are an error; every message returned has
    // `padding` readable bytes after it (simdjson reads up to 64 bytes past the end).
    ws_frame_reader(std::size_t max_message_bytes, std::size_t padding,
                    std::size_t read_bytes = 256 * 1024);

    // Where the next socket read may put its bytes (never empty). Invalidates every frame
    // returned before: call it only when next() has returned nullopt.
    std::span<char> read_space();
    // `n` bytes were read into read_space().
    void commit(std::size_t n) noexcept { end_ += n; }
    // Bytes already received (the rest of the HTTP upgrade's read): copied in.
    void append(std::span<const char> bytes);

    // The next complete frame, nullopt when more bytes are needed. After an error frame the
    // connection must end. Frames stay valid until read_space().
    std::optional<ws_frame> next();

  private:
    std::optional<ws_frame> fail(const char* why);
    // One frame; sets `fragment` when it was a non-final fragment (consumed, nothing to return).
    std::optional<ws_frame> decode(bool& fragment);
    // decode()'s second half for a data frame whose payload `f` points at: the message where it
    // lies, or a fragment appended to fragments_. Inline: it runs once per message.
    [[gnu::always_inline]] inline std::optional<ws_frame> data_frame(ws_frame f, int opcode,
                                                                     bool fin, bool& fragment);

    std::size_t max_message_;
    std::size_t padding_;
    std::size_t capacity_;  // usable bytes of buffer_ (padding_ more are allocated)
    std::vector<char> buffer_;
    std::size_t begin_ = 0;    // first byte not yet decoded
    std::size_t end_ = 0;      // one past the last byte received
    std::size_t need_ = 0;     // bytes the frame at begin_ needs in all, once known
    bool assembling_ = false;  // inside a fragmented message
    bool assembling_binary_ = false;
    std::string fragments_;  // the fragmented message so far
    bool failed_ = false;
    std::string why_;  // an error text built for this reader (the error frame points at it)
};

}  // namespace mdrec::ingest
