// SHA-256 over data that arrives in pieces (OpenSSL EVP), so that a file of any size is hashed
// while it streams through: the content hash of a day's lines and the archive's checksum.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

struct evp_md_ctx_st;

namespace mdrec {

class sha256 {
  public:
    sha256();
    ~sha256();
    sha256(sha256&&) noexcept;
    sha256& operator=(sha256&&) noexcept;

    // Adds bytes to the digest. Any thread that owns the object.
    void update(std::string_view bytes);

    // The digest of everything added, as 64 lowercase hex digits; the object starts over.
    std::string hex_digest();

  private:
    struct free_ctx {
        void operator()(evp_md_ctx_st* ctx) const noexcept;
    };
    std::unique_ptr<evp_md_ctx_st, free_ctx> ctx_;
};

// The SHA-256 of a whole file, read in 1 MiB pieces; an error names the file.
result<std::string> sha256_of_file(const std::string& path);

}  // namespace mdrec
