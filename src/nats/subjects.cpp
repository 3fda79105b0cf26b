// Subjects of published lines; see subjects.hpp. (Temporary minimal copy in the store branch:
// main's version replaces it at the merge.)
#include "mdrec/nats/subjects.hpp"

namespace mdrec::nats {

std::string subject_for(std::string_view prefix, std::string_view venue, std::string_view token) {
    std::string subject;
    subject.reserve(prefix.size() + venue.size() + token.size() + 2);
    subject.append(prefix).append(".").append(venue).append(".").append(token);
    return subject;
}

subject_parts split_subject(std::string_view prefix, std::string_view subject) {
    if (subject.size() <= prefix.size() + 1 || !subject.starts_with(prefix) ||
        subject[prefix.size()] != '.') {
        return {};
    }
    const std::string_view rest = subject.substr(prefix.size() + 1);
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return {};
    return {rest.substr(0, dot), rest.substr(dot + 1)};
}

}  // namespace mdrec::nats
