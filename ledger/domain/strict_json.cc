// Strict reading of JSON against a protobuf message type (strict_json.h).
#include "ledger/domain/strict_json.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/domain/rows.h"

#define STRICT_JSON_RETURN_IF_ERROR(expr) \
  do {                                     \
    const absl::Status status_ = (expr);   \
    if (!status_.ok()) return status_;     \
  } while (false)

namespace daftar::domain {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// Protobuf's JSON parser accepts what docs/input-contract.md does not: json_name (camelCase)
// keys, a key given twice (the last wins), enum numbers, "1700" or 1700.0 for an integer, "true"
// for a bool, and beyond RFC 8259 single quotes, trailing commas, unknown escapes and nulls inside
// lists (dropped). This walk refuses all of them first.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(absl::string_view t) {
  size_t i = 0;
  const auto at = [&](absl::string_view chars) {
    return i < t.size() && absl::StrContains(chars, t[i]);
  };
  const auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    return i > from;
  };
  if (at("-")) ++i;
  if (at("0")) {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (at(".") && (++i, !digits())) return false;
  if (at("eE")) {
    ++i;
    if (at("+-")) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// Length of the UTF-8 sequence that starts `s` (RFC 3629: no overlong form, no surrogate, at
// most U+10FFFF); 0 when it is not one.
size_t Utf8Length(absl::string_view s) {
  const auto byte = [&](size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0; };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// A key, or a JSON token (a number, a literal, a string with its quotes), as a message shows it:
// masked (ShowNonPersonalValue) when it, or the string it stands for (`value`: escapes decoded),
// holds a run of 9 digits or has a CIN's shape; the rule set holds no personal data, but a
// CNSS number or a CIN may be typed in the wrong place.
std::string Shown(absl::string_view token, absl::string_view value) {
  const std::string shown = ShowNonPersonalValue(value);
  if (shown != EscapeForMessage(value)) {
    return absl::StartsWith(token, "\"") ? absl::StrCat("\"", shown, "\"") : shown;
  }
  return ShowNonPersonalValue(token);
}
std::string Shown(absl::string_view token) { return Shown(token, token); }

// Lowercase without '_' or '-': "rateBp", "RATE_BP" and "rate-bp" all fold to "ratebp".
std::string Folded(absl::string_view key) {
  std::string out;
  for (char c : key) {
    if (c != '_' && c != '-') out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string UnknownKeyRule(const Descriptor* type, absl::string_view key) {
  std::vector<std::string> names;
  for (int i = 0; i < type->field_count(); ++i) {
    const std::string& name = type->field(i)->name();
    if (Folded(name) == Folded(key)) {
      return absl::StrCat("unknown key (keys are snake_case: ", name, ")");
    }
    names.push_back(name);
  }
  return absl::StrCat("unknown key (expected one of ", absl::StrJoin(names, ", "), ")");
}

// The values an enum takes in input: every name but that of 0 (..._UNSPECIFIED, never valid).
std::string EnumNames(const EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) names.push_back(type->value(i)->name());
  }
  return absl::StrJoin(names, ", ");
}

std::pair<int64_t, int64_t> IntegerRange(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case FieldDescriptor::CPPTYPE_UINT32:
      return {0, std::numeric_limits<uint32_t>::max()};
    case FieldDescriptor::CPPTYPE_UINT64:
      return {0, std::numeric_limits<int64_t>::max()};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

// Walks the JSON text against a message descriptor, in one pass, stopping at the first error:
// RFC 8259 syntax in UTF-8; keys exactly the fields' names; no key twice in one object; integer
// fields as JSON numbers without fraction or exponent, within the field's range; bools as true or
// false; strings as JSON strings; enums as JSON strings naming a value other than 0; lists as
// arrays; messages as objects. A null stands for an absent key (ValidateRuleSet then reports
// it missing), but is not a list element. Errors name the JSON path and the rule; syntax errors
// the line and column.
class StrictJson {
 public:
  StrictJson(absl::string_view text, const JsonPathErrors& check) : text_(text), check_(check) {}

  absl::Status CheckDocument(const Descriptor* type) {
    SkipSpace();
    if (Peek() != '{') return Syntax("expected '{' (the rule set is a JSON object)");
    STRICT_JSON_RETURN_IF_ERROR(Object(type, "", 1));
    SkipSpace();
    if (pos_ != text_.size()) return Syntax("unexpected text after the rule set's object");
    return absl::OkStatus();
  }

 private:
  // The character at pos_, or NUL past the end (NUL is never valid outside a string).
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  bool Consume(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && absl::StrContains(" \t\n\r", text_[pos_])) ++pos_;
  }

  absl::Status Syntax(absl::string_view what) const {
    const absl::string_view before = text_.substr(0, pos_);
    const size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const size_t line_start = before.rfind('\n') == before.npos ? 0 : before.rfind('\n') + 1;
    return absl::InvalidArgumentError(absl::StrCat(check_.file_name(), ": line ", line,
                                                   ", column ", pos_ - line_start + 1,
                                                   ": invalid JSON: ", what));
  }

  absl::Status Nest(int depth) const {
    if (depth <= kJsonDepthMax) return absl::OkStatus();
    return Syntax(absl::StrCat("nested deeper than ", kJsonDepthMax, " levels"));
  }

  // An object of message `type` at '{'; `path` is its JSON path ("" for the document).
  absl::Status Object(const Descriptor* type, const std::string& path, int depth) {
    STRICT_JSON_RETURN_IF_ERROR(Nest(depth));
    ++pos_;  // '{'
    std::set<std::string> keys;
    SkipSpace();
    if (Consume('}')) return absl::OkStatus();
    while (true) {
      STRICT_JSON_RETURN_IF_ERROR(Member(type, path, depth, keys));
      SkipSpace();
      if (Consume('}')) return absl::OkStatus();
      if (!Consume(',')) return Syntax("expected ',' or '}' after a value");
      SkipSpace();
    }
  }

  // One "key": value of an object of `type`; `keys` are those the object had before.
  absl::Status Member(const Descriptor* type, const std::string& path, int depth,
                      std::set<std::string>& keys) {
    if (Peek() != '"') return Syntax("expected a key in double quotes");
    absl::StatusOr<std::string> key = String();
    if (!key.ok()) return key.status();
    const std::string key_path =
        path.empty() ? Shown(*key) : absl::StrCat(path, ".", Shown(*key));
    if (!keys.insert(*key).second) return check_.AtKey(key_path, "duplicate key");
    const FieldDescriptor* field = type->FindFieldByName(*key);
    if (field == nullptr) return check_.AtKey(key_path, UnknownKeyRule(type, *key));
    SkipSpace();
    if (!Consume(':')) return Syntax("expected ':' after a key");
    SkipSpace();
    return Value(field, key_path, depth);
  }

  // The value of `field`: null (the key is absent), a list when repeated, else one value.
  absl::Status Value(const FieldDescriptor* field, const std::string& path, int depth) {
    const size_t start = pos_;
    if (ScalarToken() == "null") return absl::OkStatus();
    pos_ = start;
    if (!field->is_repeated()) return Single(field, path, depth);
    if (Peek() != '[') return WrongType(path, "must be a JSON array");
    return List(field, path, depth + 1);
  }

  absl::Status List(const FieldDescriptor* field, const std::string& path, int depth) {
    STRICT_JSON_RETURN_IF_ERROR(Nest(depth));
    ++pos_;  // '['
    SkipSpace();
    if (Consume(']')) return absl::OkStatus();
    for (int i = 0;; ++i) {
      STRICT_JSON_RETURN_IF_ERROR(Single(field, absl::StrCat(path, "[", i, "]"), depth));
      SkipSpace();
      if (Consume(']')) return absl::OkStatus();
      if (!Consume(',')) return Syntax("expected ',' or ']' after a value");
      SkipSpace();
    }
  }

  // One value of `field`'s type (an element, for a repeated field).
  absl::Status Single(const FieldDescriptor* field, const std::string& path, int depth) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (Peek() != '{') return WrongType(path, "must be a JSON object");
        return Object(field->message_type(), path, depth + 1);
      case FieldDescriptor::CPPTYPE_STRING:
        if (Peek() != '"') return WrongType(path, "must be a JSON string");
        return String().status();
      case FieldDescriptor::CPPTYPE_ENUM:
        return Enum(field->enum_type(), path);
      case FieldDescriptor::CPPTYPE_BOOL:
        return Bool(path);
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
        return Integer(field, path);
      default:  // the rule set has no floating-point field
        return absl::InternalError(absl::StrCat(path, ": no strict JSON rule for this type"));
    }
  }

  absl::Status Enum(const EnumDescriptor* type, const std::string& path) {
    if (Peek() != '"') return WrongType(path, absl::StrCat("must be a JSON string, one of ",
                                                           EnumNames(type)));
    const size_t start = pos_;
    absl::StatusOr<std::string> name = String();
    if (!name.ok()) return name.status();
    const auto* value = type->FindValueByName(*name);
    if (value != nullptr && value->number() != 0) return absl::OkStatus();
    return check_.Error(path, Shown(text_.substr(start, pos_ - start), *name),
                        absl::StrCat("is not one of ", EnumNames(type)));
  }

  absl::Status Bool(const std::string& path) {
    const size_t start = pos_;
    const absl::string_view token = ScalarToken();
    if (token == "true" || token == "false") return absl::OkStatus();
    pos_ = start;
    return WrongType(path, "must be JSON true or false");
  }

  absl::Status Integer(const FieldDescriptor* field, const std::string& path) {
    const size_t start = pos_;
    const absl::string_view token = ScalarToken();
    if (!IsJsonNumber(token) || token.find_first_of(".eE") != token.npos) {
      pos_ = start;
      return WrongType(path, IsJsonNumber(token)
                                 ? "must be a JSON integer (no fraction or exponent)"
                                 : "must be a JSON integer");
    }
    const auto [min, max] = IntegerRange(field);
    int64_t value = 0;
    if (absl::SimpleAtoi(token, &value) && value >= min && value <= max) return absl::OkStatus();
    return check_.Error(path, Shown(token), absl::StrCat("is outside ", min, "..", max));
  }

  // The value at pos_ is of the wrong JSON type: names it, or the syntax error it holds.
  absl::Status WrongType(const std::string& path, absl::string_view rule) {
    const size_t start = pos_;
    switch (Peek()) {
      case '{':
        return check_.Error(path, "{...}", rule);
      case '[':
        return check_.Error(path, "[...]", rule);
      case '"': {
        absl::StatusOr<std::string> value = String();
        if (!value.ok()) return value.status();
        return check_.Error(path, Shown(text_.substr(start, pos_ - start), *value), rule);
      }
      default:
        break;
    }
    const absl::string_view token = ScalarToken();
    if (token == "true" || token == "false" || token == "null" || IsJsonNumber(token)) {
      return check_.Error(path, Shown(token), rule);
    }
    pos_ = start;
    if (token.empty()) return Syntax("expected a value");
    return Syntax(absl::StrCat("'", Shown(token), "' is not a JSON value"));
  }

  // A number or literal: the run of [0-9A-Za-z+-.] at pos_, consumed (empty at other text).
  absl::string_view ScalarToken() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) ||
            absl::StrContains("+-.", text_[pos_]))) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // A string at '"', consumed; its value, escapes decoded.
  absl::StatusOr<std::string> String() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Syntax("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return Syntax("control character in a string (write it as an escape)");
      if (c == '\\') {
        STRICT_JSON_RETURN_IF_ERROR(Escape(out));
        continue;
      }
      const size_t length = Utf8Length(text_.substr(pos_));
      if (length == 0) return Syntax("invalid UTF-8");
      out.append(text_.data() + pos_, length);
      pos_ += length;
    }
  }

  // An escape at '\\', consumed and appended to `out` (\uXXXX as UTF-8, surrogates paired).
  absl::Status Escape(std::string& out) {
    ++pos_;  // '\\'
    constexpr absl::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
    if (const size_t i = kFrom.find(Peek()); i != kFrom.npos) {
      out.push_back(kTo[i]);
      ++pos_;
      return absl::OkStatus();
    }
    uint32_t unit = 0;
    STRICT_JSON_RETURN_IF_ERROR(Unit(&unit));
    if (unit >= 0xDC00 && unit <= 0xDFFF) return Syntax("\\u escape of a lone low surrogate");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      uint32_t low = 0;
      if (!Consume('\\')) return Syntax("high surrogate not followed by a low one");
      STRICT_JSON_RETURN_IF_ERROR(Unit(&low));
      if (low < 0xDC00 || low > 0xDFFF) return Syntax("high surrogate not followed by a low one");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(unit, out);
    return absl::OkStatus();
  }

  // "uXXXX" at pos_, consumed.
  absl::Status Unit(uint32_t* unit) {
    if (!Consume('u')) {
      return Syntax("invalid escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
    const absl::string_view hex = text_.substr(pos_, 4);
    if (hex.size() != 4 || !std::all_of(hex.begin(), hex.end(), [](char c) {
          return absl::ascii_isxdigit(static_cast<unsigned char>(c));
        })) {
      return Syntax("\\u not followed by 4 hexadecimal digits");
    }
    pos_ += 4;
    return absl::SimpleHexAtoi(hex, unit) ? absl::OkStatus() : Syntax("invalid \\u escape");
  }

  absl::string_view text_;
  size_t pos_ = 0;
  const JsonPathErrors& check_;
};

}  // namespace

absl::Status CheckStrictJson(absl::string_view json, const Descriptor* type,
                             const JsonPathErrors& errors) {
  return StrictJson(json, errors).CheckDocument(type);
}

}  // namespace daftar::domain
