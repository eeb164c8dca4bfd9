// Decoding cancelflow instrumentation records (docs/records.md, schema v1).
//
// The Go module writes each record as a runtime/trace user log whose category
// is "cancelflow/v<version>/<record>" and whose message is the record's fields
// as `name=value` separated by single spaces, all present, in schema order.
// Values: int (signed decimal), bool (true/false), enum (a bare word),
// string (a Go double-quoted literal).
//
// INVARIANTS
// - A log whose category does not start with "cancelflow/" is not a record.
// - A record of another schema version is *counted, not rejected*
//   (Outcome::kUnknownVersion); so is an unknown record name in v1.
// - A malformed v1 record (missing field, wrong name or order, bad value) is
//   Outcome::kMalformed; the caller counts it as a data-quality problem.
// - Decoding allocates only for string fields (unquoted copies).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cancelflow::model {

inline constexpr uint32_t kRecordSchemaVersion = 1;
inline constexpr std::string_view kRecordCategoryPrefix = "cancelflow/";

enum class RecordType : uint8_t {
#define CF_RECORD(Name, name, carrier, fields) k##Name,
#include "model/records.def"
#undef CF_RECORD
  kCount
};

struct RecordSchema {
  std::string_view name;     // "ctx"
  std::string_view carrier;  // "task+log" or "log"
  std::string_view fields;   // "id:int parent:int ..." exactly as in docs/records.md
};
const RecordSchema& Schema(RecordType t);

inline constexpr int kMaxRecordFields = 12;

enum class FieldType : uint8_t { kInt, kBool, kEnum, kString };

struct RecordField {
  std::string_view name;
  FieldType type = FieldType::kInt;
  int64_t i = 0;      // kInt, kBool (0/1)
  std::string s;      // kEnum (the word), kString (unquoted)
};

struct Record {
  RecordType type = RecordType::kCount;
  int nfields = 0;
  std::array<RecordField, kMaxRecordFields> fields;

  // Field access by name; CHECK-fails for a name the schema does not have.
  int64_t Int(std::string_view name) const;
  bool Bool(std::string_view name) const { return Int(name) != 0; }
  const std::string& Str(std::string_view name) const;  // kString and kEnum
};

enum class Outcome : uint8_t {
  kNotARecord,      // category is not "cancelflow/..."
  kOk,
  kUnknownVersion,  // "cancelflow/v2/..." or a non-numeric version
  kUnknownRecord,   // v1 but a record name this decoder does not know
  kMalformed,
};

// Decodes one log (category, message) into *out.
Outcome DecodeRecord(std::string_view category, std::string_view message, Record* out);

}  // namespace cancelflow::model
