// Subjects of published lines; see subjects.hpp.
#include "mdrec/nats/subjects.hpp"

namespace mdrec::nats {

std::string subject_for(std::string_view prefix, std::string_view venue, std::string_view token) {
    std::string subject;
    subject.reserve(prefix.size() + venue.size() + token.size() + 2);
    subject += prefix;
    subject += '.';
    subject += venue;
    subject += '.';
    for (const char c : token) subject += c == '@' ? '~' : c;
    return subject;
}

subject_parts split_subject(std::string_view prefix, std::string_view subject) {
    if (subject.size() <= prefix.size() + 1 || subject.substr(0, prefix.size()) != prefix ||
        subject[prefix.size()] != '.') {
        return {};
    }
    const std::string_view rest = subject.substr(prefix.size() + 1);
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return {};
    std::string token(rest.substr(dot + 1));
    for (char& c : token) {
        if (c == '~') c = '@';
    }
    return {rest.substr(0, dot), std::move(token)};
}

}  // namespace mdrec::nats
