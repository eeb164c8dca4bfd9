#include "model/records.h"

#include <charconv>

#include "base/check.h"
#include "base/go_quote.h"

namespace cancelflow::model {
namespace {

constexpr RecordSchema kSchemas[] = {
#define CF_RECORD(Name, name, carrier, fields) {name, carrier, fields},
#include "model/records.def"
#undef CF_RECORD
};
static_assert(std::size(kSchemas) == static_cast<size_t>(RecordType::kCount));

// One "name:type" token of a schema's field list.
bool NextFieldSpec(std::string_view* spec, std::string_view* name, FieldType* type) {
  while (!spec->empty() && spec->front() == ' ') spec->remove_prefix(1);
  if (spec->empty()) return false;
  size_t sp = spec->find(' ');
  std::string_view tok = spec->substr(0, sp);
  spec->remove_prefix(sp == std::string_view::npos ? spec->size() : sp);
  size_t colon = tok.find(':');
  CF_CHECK(colon != std::string_view::npos);
  *name = tok.substr(0, colon);
  std::string_view t = tok.substr(colon + 1);
  *type = t == "int" ? FieldType::kInt : t == "bool" ? FieldType::kBool : t == "enum" ? FieldType::kEnum : FieldType::kString;
  return true;
}

bool IsEnumWord(std::string_view w) {
  if (w.empty() || w[0] < 'a' || w[0] > 'z') return false;
  for (char c : w)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// Reads one value of `type` from the front of *msg (up to the separating
// space, or the closing quote of a string).
bool ReadValue(std::string_view* msg, FieldType type, RecordField* f) {
  if (type == FieldType::kString) {
    if (msg->empty() || msg->front() != '"') return false;
    size_t i = 1;
    while (i < msg->size() && (*msg)[i] != '"') i += (*msg)[i] == '\\' ? size_t{2} : size_t{1};
    if (i >= msg->size()) return false;
    if (!GoUnquote(msg->substr(0, i + 1), &f->s)) return false;
    msg->remove_prefix(i + 1);
    return true;
  }
  size_t sp = msg->find(' ');
  std::string_view v = msg->substr(0, sp);
  msg->remove_prefix(v.size());
  switch (type) {
    case FieldType::kInt: {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), f->i);
      return ec == std::errc() && p == v.data() + v.size() && !v.empty();
    }
    case FieldType::kBool:
      if (v == "true") f->i = 1;
      else if (v == "false") f->i = 0;
      else return false;
      return true;
    case FieldType::kEnum:
      if (!IsEnumWord(v)) return false;
      f->s.assign(v);
      return true;
    case FieldType::kString:
      break;
  }
  return false;
}

}  // namespace

const RecordSchema& Schema(RecordType t) { return kSchemas[static_cast<size_t>(t)]; }

int64_t Record::Int(std::string_view name) const {
  for (int k = 0; k < nfields; ++k)
    if (fields[static_cast<size_t>(k)].name == name) return fields[static_cast<size_t>(k)].i;
  CF_CHECK(false && "no such record field");
  return 0;
}

const std::string& Record::Str(std::string_view name) const {
  for (int k = 0; k < nfields; ++k)
    if (fields[static_cast<size_t>(k)].name == name) return fields[static_cast<size_t>(k)].s;
  CF_CHECK(false && "no such record field");
  static const std::string kEmpty;
  return kEmpty;
}

Outcome DecodeRecord(std::string_view category, std::string_view message, Record* out) {
  if (category.substr(0, kRecordCategoryPrefix.size()) != kRecordCategoryPrefix) return Outcome::kNotARecord;
  category.remove_prefix(kRecordCategoryPrefix.size());
  if (category.empty() || category.front() != 'v') return Outcome::kUnknownVersion;
  size_t slash = category.find('/');
  if (slash == std::string_view::npos) return Outcome::kUnknownVersion;
  uint32_t version = 0;
  auto vs = category.substr(1, slash - 1);
  auto [p, ec] = std::from_chars(vs.data(), vs.data() + vs.size(), version);
  if (ec != std::errc() || p != vs.data() + vs.size() || version != kRecordSchemaVersion) {
    return Outcome::kUnknownVersion;
  }
  std::string_view name = category.substr(slash + 1);
  int type = -1;
  for (size_t t = 0; t < std::size(kSchemas); ++t)
    if (kSchemas[t].name == name) type = static_cast<int>(t);
  if (type < 0) return Outcome::kUnknownRecord;
  out->type = static_cast<RecordType>(type);
  out->nfields = 0;
  std::string_view spec = kSchemas[type].fields;
  std::string_view fname;
  FieldType ftype;
  bool first = true;
  while (NextFieldSpec(&spec, &fname, &ftype)) {
    if (!first) {
      if (message.empty() || message.front() != ' ') return Outcome::kMalformed;
      message.remove_prefix(1);
    }
    first = false;
    if (message.substr(0, fname.size()) != fname || message.size() <= fname.size() || message[fname.size()] != '=') {
      return Outcome::kMalformed;
    }
    message.remove_prefix(fname.size() + 1);
    CF_CHECK(out->nfields < kMaxRecordFields);
    RecordField& f = out->fields[static_cast<size_t>(out->nfields++)];
    f.name = fname;
    f.type = ftype;
    f.i = 0;
    f.s.clear();
    if (!ReadValue(&message, ftype, &f)) return Outcome::kMalformed;
  }
  return message.empty() ? Outcome::kOk : Outcome::kMalformed;
}

}  // namespace cancelflow::model
