// ProcessBatch: the column-at-a-time ingest kernel (see ingestor.cpp for the driver).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "core/strings.hpp"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cdp/normalize.hpp"
#include "ingest/ingest_internal.hpp"

namespace cdp::internal {

int FieldIndex(std::string_view field) {
  for (size_t i = 0; i < std::size(kStandardFields); ++i)
    if (kStandardFields[i] == field) return static_cast<int>(i);
  return -1;
}

absl::StatusOr<FieldBinding> ParseBinding(std::string_view field, std::string_view value) {
  FieldBinding b;
  if (value.empty())
    return absl::InvalidArgumentError(Cat("mapping: field \"", field, "\" maps to an empty column name"));
  if (field == "event_id" && value == "@line") {  // the source and line number (row) identify the event
    b.kind = FieldBinding::kLine;
    return b;
  }
  if (value[0] == '=') {
    if (field == "event_id" || field == "ts")
      return absl::InvalidArgumentError(Cat("mapping: field \"", field,
                                                     "\" cannot be a constant (\"", value, "\")"));
    b.kind = FieldBinding::kLiteral;
    b.literal = std::string(value.substr(1));
    double v;
    if (field == "revenue" && !ParseDoubleStrict(b.literal, &v))
      return absl::InvalidArgumentError(
          Cat("mapping: revenue -> \"", value, "\": a constant revenue must be a finite number"));
    return b;
  }
  size_t star = value.find('*');
  if (star != std::string_view::npos && field == "revenue") {
    b.kind = FieldBinding::kProduct;
    b.column = std::string(Strip(value.substr(0, star)));
    b.column2 = std::string(Strip(value.substr(star + 1)));
    if (b.column.empty() || b.column2.empty() || b.column2.find('*') != std::string::npos)
      return absl::InvalidArgumentError(Cat(
          "mapping: revenue -> \"", value, "\": a product needs exactly two column names, like \"Quantity*UnitPrice\""));
    return b;
  }
  b.kind = FieldBinding::kColumn;
  b.column = std::string(value);
  return b;
}

bool ParseInt64Strict(std::string_view s, int64_t* out) {
  s = Strip(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDoubleStrict(std::string_view s, double* out) {
  s = Strip(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  char c = s[0];
  if (!((c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  if (s.size() > 1 && c == '-' && !((s[1] >= '0' && s[1] <= '9') || s[1] == '.'))
    return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(*out);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Text with invalid UTF-8 bytes shown as \xNN so it can be displayed and exported as JSON.
std::string Displayable(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    // Copy the longest valid prefix one code point at a time.
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    if (i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += absl::StrFormat("\\x%02X", c);
      ++i;
    }
  }
  return out;
}

bool HasHighBit(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t acc = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
  }
  for (; n > 0; ++p, --n) acc |= static_cast<unsigned char>(*p);
  return (acc & 0x8080808080808080ULL) != 0;
}

std::string_view ErrorCode(const RowError& e) {
  if (e.reason.find("unterminated") != std::string::npos) return "unterminated_quote";
  if (e.reason.find("exceeds") != std::string::npos) return "field_too_large";
  if (e.reason.find("expected") != std::string::npos && e.reason.find("field") != std::string::npos)
    return "wrong_field_count";
  if (e.reason.find("JSON") != std::string::npos || e.reason.find("line ") != std::string::npos)
    return "bad_json";
  return "unreadable_row";
}

struct Pending {
  size_t row;
  std::string column, value, code, reason;
};

// Reads cells of a SourceColumn as text.
class Cells {
 public:
  explicit Cells(const IngestOptions& o) : nulls_(o.null_values) {
    for (const auto& n : nulls_) max_null_len_ = std::max(max_null_len_, n.size());
  }
  bool IsNullToken(std::string_view t) const {
    if (t.size() > max_null_len_) return false;
    for (const auto& n : nulls_)
      if (t == n) return true;
    return false;
  }
  // False when the cell is null.
  bool Text(const SourceColumn& c, size_t r, std::string_view* out, std::string* scratch) const {
    switch (c.kind) {
      case SourceColumn::Kind::kText: {
        const Cell& cell = c.cells[r];
        if (!cell.present || cell.null) return false;
        if (!cell.quoted && IsNullToken(cell.text)) return false;
        *out = cell.text;
        return true;
      }
      case SourceColumn::Kind::kInt64: {
        int64_t v = c.i64[r];
        if ((c.valid && !c.valid[r]) || v == kNullInt64) return false;
        char buf[24];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
        scratch->assign(buf, p);
        *out = *scratch;
        return true;
      }
      case SourceColumn::Kind::kDouble: {
        double v = c.f64[r];
        if (std::isnan(v)) return false;
        if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
          *scratch = absl::StrFormat("%.0f", v);
        } else {
          *scratch = absl::StrFormat("%.17g", v);
        }
        *out = *scratch;
        return true;
      }
      case SourceColumn::Kind::kBool:
        if (c.valid && !c.valid[r]) return false;
        *out = c.b[r] ? "true" : "false";
        return true;
      case SourceColumn::Kind::kCodes: {
        int64_t code = c.codes32 ? c.codes32[r] : c.codes64[r];
        if (code < 0 || static_cast<size_t>(code) >= c.categories->size()) return false;
        *out = (*c.categories)[static_cast<size_t>(code)];
        return true;
      }
    }
    return false;
  }

 private:
  const std::vector<std::string>& nulls_;
  size_t max_null_len_ = 0;
};

// Builds the batch: one instance per ProcessBatch call.
class BatchBuilder {
 public:
  BatchBuilder(const BatchContext& ctx, const SourceBatch& b, BatchState* st)
      : ctx_(ctx), b_(b), st_(st), cells_(ctx.options), n_(b.rows) {
    for (size_t i = 0; i < b.columns.size(); ++i) by_name_[b.columns[i].name] = static_cast<int>(i);
    st_->bad.assign(n_, -1);
  }

  void Reject(size_t r, std::string_view column, std::string_view value, std::string_view code,
              std::string reason) {
    if (st_->bad[r] >= 0) return;
    st_->bad[r] = static_cast<int32_t>(pending_.size());
    pending_.push_back(Pending{r, std::string(column), Displayable(Truncate(value)), std::string(code),
                               std::move(reason)});
  }
  bool Bad(size_t r) const { return st_->bad[r] >= 0; }

  const SourceColumn* Col(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &b_.columns[static_cast<size_t>(it->second)];
  }
  const FieldBinding& Field(std::string_view f) const { return ctx_.fields[FieldIndex(f)]; }

  void CheckUtf8() {
    std::string scratch;
    for (const SourceColumn& c : b_.columns) {
      if (c.kind == SourceColumn::Kind::kText) {
        for (size_t r = 0; r < n_; ++r) {
          const Cell& cell = c.cells[r];
          if (cell.present && HasHighBit(cell.text) && !IsValidUtf8(cell.text))
            Reject(r, c.name, cell.text, "invalid_utf8",
                   Cat("column ", c.name, ": invalid UTF-8 text"));
        }
      } else if (c.kind == SourceColumn::Kind::kCodes) {
        // Validity per category, computed once per columnar ingest (1 = valid, 0 = not).
        std::vector<int32_t>& ok = st_->MemoFor(Cat("utf8:", c.name), c.categories);
        if (!ok.empty() && ok[0] == -2)
          for (size_t k = 0; k < ok.size(); ++k) ok[k] = IsValidUtf8((*c.categories)[k]) ? 1 : 0;
        for (size_t r = 0; r < n_; ++r) {
          int64_t code = c.codes32 ? c.codes32[r] : c.codes64[r];
          if (code >= 0 && static_cast<size_t>(code) < ok.size() && !ok[static_cast<size_t>(code)])
            Reject(r, c.name, (*c.categories)[static_cast<size_t>(code)], "invalid_utf8",
                   Cat("column ", c.name, ": invalid UTF-8 text"));
        }
      }
    }
  }

  // Rows carrying an identifier of an erased person: rejected before any of their values is
  // interned (so nothing of them reaches the dictionary, the id index or the file).
  void ErasedSubjects() {
    const ErasedIdentifiers& erased = *ctx_.target.erased;
    const std::string& country = ctx_.options.default_country;
    auto hit = [&](std::string_view type, std::string_view raw) {
      if (type == "email") {
        auto v = NormalizeEmail(raw);
        return v.ok() && erased.Contains(type, *v);
      }
      if (type == "phone") {
        auto v = NormalizePhone(raw, country);
        return v.ok() && erased.Contains(type, *v);
      }
      std::string_view v = Strip(raw);
      return !v.empty() && erased.Contains(type, v);
    };
    auto reject = [&](size_t r, std::string_view column) {
      Reject(r, column, "", kErasedSubject, "the event carries an identifier of an erased person");
    };
    auto scan = [&](std::string_view type, const SourceColumn& c) {
      std::string scratch, last_raw;
      bool have_last = false, last_hit = false;
      for (size_t r = 0; r < n_; ++r) {
        std::string_view raw;
        if (Bad(r) || !cells_.Text(c, r, &raw, &scratch)) continue;
        if (!have_last || raw != last_raw) {
          last_hit = hit(type, raw);
          last_raw.assign(raw);
          have_last = true;
        }
        if (last_hit) reject(r, c.name);
      }
    };
    for (std::string_view field : kIdentifierFields) {
      const FieldBinding& f = Field(field);
      if (f.kind == FieldBinding::kLiteral && hit(field, f.literal)) {
        for (size_t r = 0; r < n_; ++r) reject(r, "");
      } else if (const SourceColumn* c = f.kind == FieldBinding::kColumn ? Col(f.column) : nullptr) {
        scan(field, *c);
      }
    }
    for (const std::string& type : erased.custom_types())
      if (const SourceColumn* c = Col(type)) scan(type, *c);
  }

  void Timestamps(Vec<Micros>* ts) {
    ts->assign(n_, 0);
    const FieldBinding& f = Field("ts");
    const SourceColumn* c = f.kind == FieldBinding::kColumn ? Col(f.column) : nullptr;
    if (c == nullptr) {
      for (size_t r = 0; r < n_; ++r)
        Reject(r, f.column, "", "missing_timestamp",
               f.column.empty() ? "no timestamp: no column is mapped to ts"
                                : Cat("missing timestamp: column ", f.column, " is absent"));
      return;
    }
    std::string scratch, last_text;
    Micros last_value = 0;
    bool have_last = false;
    // A typed column's own unit (datetime64[ns]) wins over the epoch_unit option.
    const EpochUnit unit = c->unit != EpochUnit::kAuto ? c->unit : ctx_.time->options().epoch_unit;
    for (size_t r = 0; r < n_; ++r) {
      if (Bad(r)) continue;
      if (c->kind == SourceColumn::Kind::kInt64 || c->kind == SourceColumn::Kind::kDouble) {
        bool null = c->kind == SourceColumn::Kind::kInt64
                        ? ((c->valid && !c->valid[r]) || c->i64[r] == kNullInt64)
                        : std::isnan(c->f64[r]);
        if (null) {
          Reject(r, c->name, "", "missing_timestamp", Cat("missing timestamp in column ", c->name));
          continue;
        }
        absl::StatusOr<Micros> v;
        if (c->kind == SourceColumn::Kind::kInt64) {
          v = ctx_.time->FromEpoch(c->i64[r], unit);
        } else if (!std::isfinite(c->f64[r])) {
          v = absl::InvalidArgumentError(Cat("timestamp ", c->f64[r], " is not finite"));
        } else {
          // Fractional epoch values: seconds unless a unit says otherwise.
          const double x = c->f64[r];
          const double mag = std::fabs(x);
          EpochUnit u = unit;
          if (u == EpochUnit::kAuto)  // same magnitude rule as integers (cdp/time.hpp)
            u = mag < 1e11 ? EpochUnit::kSeconds : mag < 1e14 ? EpochUnit::kMillis
                : mag < 1e17 ? EpochUnit::kMicros : EpochUnit::kNanos;
          double per_unit = 1e6;
          switch (u) {
            case EpochUnit::kMillis: per_unit = 1e3; break;
            case EpochUnit::kMicros: per_unit = 1; break;
            case EpochUnit::kNanos: per_unit = 1e-3; break;
            default: break;
          }
          const double us = x * per_unit;
          if (!(std::fabs(us) < 9.2e18))
            v = absl::InvalidArgumentError(Cat("timestamp ", x, " is out of range"));
          else
            v = static_cast<Micros>(std::llround(us));
        }
        if (!v.ok()) {
          Reject(r, c->name, Cat(c->kind == SourceColumn::Kind::kInt64 ? c->i64[r] : 0),
                 "bad_timestamp", std::string(v.status().message()));
          continue;
        }
        (*ts)[r] = *v;
        continue;
      }
      std::string_view text;
      if (!cells_.Text(*c, r, &text, &scratch)) {
        Reject(r, c->name, "", "missing_timestamp", Cat("missing timestamp in column ", c->name));
        continue;
      }
      if (have_last && text == last_text) {
        (*ts)[r] = last_value;
        continue;
      }
      auto v = ctx_.time->Parse(text);
      if (!v.ok()) {
        std::string_view msg = View(v.status().message());
        Reject(r, c->name, text,
               msg.find("ambiguous") != std::string_view::npos ? "ambiguous_timestamp" : "bad_timestamp",
               std::string(msg));
        continue;
      }
      (*ts)[r] = *v;
      last_text.assign(text);
      last_value = *v;
      have_last = true;
    }
  }

  // A string field: codes into the dictionary (kNullCode when null). `normalize` returns the
  // canonical text or an error; on error the row is rejected (reject == true) or the field is left
  // null with the raw text kept in `<field>_invalid` and a warning counted.
  template <typename Normalize>
  void StringField(std::string_view field, Normalize normalize, bool reject, Vec<int32_t>* codes,
                   Vec<int32_t>* invalid) {
    codes->assign(n_, kNullCode);
    if (invalid) invalid->assign(n_, kNullCode);
    const FieldBinding& f = Field(field);
    StringDictionary& dict = *ctx_.target.dict;
    if (f.kind == FieldBinding::kLiteral) {
      if (std::all_of(st_->bad.begin(), st_->bad.end(), [](int32_t b) { return b >= 0; })) return;
      auto v = normalize(f.literal);
      int32_t code = v.ok() && !v->empty() ? dict.Intern(*v) : kNullCode;
      for (size_t r = 0; r < n_; ++r) (*codes)[r] = code;
      return;
    }
    const SourceColumn* c = f.kind == FieldBinding::kColumn ? Col(f.column) : nullptr;
    if (c == nullptr) return;
    std::string scratch, last_raw;
    int32_t last_code = kNullCode;
    bool have_last = false;
    // kCodes: normalize each category once.
    std::vector<int32_t> no_memo;  // not a kCodes column: no per-category memo
    std::vector<int32_t>& memo = c->kind == SourceColumn::Kind::kCodes
                                     ? st_->MemoFor(Cat("field:", field), c->categories)
                                     : no_memo;
    for (size_t r = 0; r < n_; ++r) {
      if (Bad(r)) continue;
      std::string_view raw;
      if (!cells_.Text(*c, r, &raw, &scratch)) continue;
      int64_t cat = -1;
      if (!memo.empty()) {
        cat = c->codes32 ? c->codes32[r] : c->codes64[r];
        if (memo[static_cast<size_t>(cat)] != -2) {
          (*codes)[r] = memo[static_cast<size_t>(cat)];
          if ((*codes)[r] != kNullCode || invalid == nullptr) continue;
        }
      } else if (have_last && raw == last_raw) {
        (*codes)[r] = last_code;
        if (last_code != kNullCode || invalid == nullptr) continue;
      }
      auto v = normalize(raw);
      int32_t code = kNullCode;
      if (v.ok()) {
        if (!v->empty()) code = dict.Intern(*v);
      } else if (reject) {
        Reject(r, c->name, raw, Cat("invalid_", field), std::string(v.status().message()));
        continue;
      } else {
        if (invalid) (*invalid)[r] = dict.Intern(raw);
      }
      (*codes)[r] = code;
      if (!memo.empty()) {
        if (v.ok()) memo[static_cast<size_t>(cat)] = code;
      } else {
        last_raw.assign(raw);
        last_code = code;
        have_last = v.ok();
      }
    }
  }

  // Numeric value of `column` at row r: false when null; error text when not a finite number.
  bool Number(const SourceColumn& c, size_t r, double* out, std::string* err, std::string* scratch) {
    switch (c.kind) {
      case SourceColumn::Kind::kDouble:
        if (std::isnan(c.f64[r])) return false;
        *out = c.f64[r];
        if (!std::isfinite(*out)) *err = Cat(c.name, " ", *out, " is not a finite number");
        return true;
      case SourceColumn::Kind::kInt64:
        if ((c.valid && !c.valid[r]) || c.i64[r] == kNullInt64) return false;
        *out = static_cast<double>(c.i64[r]);
        return true;
      default: {
        std::string_view t;
        if (!cells_.Text(c, r, &t, scratch)) return false;
        if (!ParseDoubleStrict(t, out)) {
          double probe;
          auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), probe);
          bool nonfinite = ec == std::errc() && p == t.data() + t.size();
          *err = Cat(c.name, " \"", Truncate(t), nonfinite ? "\" is not a finite number" : "\" is not a number");
        }
        return true;
      }
    }
  }

  void Revenue(Vec<double>* rev) {
    rev->assign(n_, kNaN);
    const FieldBinding& f = Field("revenue");
    if (f.kind == FieldBinding::kLiteral) {
      double v;
      if (ParseDoubleStrict(f.literal, &v))
        for (size_t r = 0; r < n_; ++r) (*rev)[r] = v;
      return;
    }
    const SourceColumn* a = (f.kind == FieldBinding::kColumn || f.kind == FieldBinding::kProduct) ? Col(f.column) : nullptr;
    const SourceColumn* b = f.kind == FieldBinding::kProduct ? Col(f.column2) : nullptr;
    if (a == nullptr || (f.kind == FieldBinding::kProduct && b == nullptr)) return;
    std::string scratch, err;
    for (size_t r = 0; r < n_; ++r) {
      if (Bad(r)) continue;
      double x = 0, y = 1;
      err.clear();
      if (!Number(*a, r, &x, &err, &scratch)) continue;
      if (err.empty() && b != nullptr && !Number(*b, r, &y, &err, &scratch)) continue;
      if (!err.empty()) {
        std::string_view raw;
        std::string s2;
        const SourceColumn& at = (b != nullptr && err.rfind(b->name, 0) == 0) ? *b : *a;
        cells_.Text(at, r, &raw, &s2);
        Reject(r, at.name, raw, "bad_revenue", Cat("revenue: ", err));
        continue;
      }
      double v = x * y;
      if (!std::isfinite(v)) {
        Reject(r, a->name, "", "bad_revenue", "revenue: product is not a finite number");
        continue;
      }
      (*rev)[r] = v;
    }
  }


  // A property column: declared plan type, else the source's type, else inferred from the text.
  Column Property(const SourceColumn& c, PropertySpec::Type declared) {
    std::string scratch;
    std::string_view t;
    ColumnType type = ColumnType::kString;
    switch (declared) {
      case PropertySpec::Type::kString: type = ColumnType::kString; break;
      case PropertySpec::Type::kInteger: type = ColumnType::kInt64; break;
      case PropertySpec::Type::kNumber: type = ColumnType::kDouble; break;
      case PropertySpec::Type::kBoolean: type = ColumnType::kBool; break;
      case PropertySpec::Type::kAny:
        switch (c.kind) {
          case SourceColumn::Kind::kInt64: type = ColumnType::kInt64; break;
          case SourceColumn::Kind::kDouble: type = ColumnType::kDouble; break;
          case SourceColumn::Kind::kBool: type = ColumnType::kBool; break;
          case SourceColumn::Kind::kCodes: type = ColumnType::kString; break;
          case SourceColumn::Kind::kText: type = InferType(c); break;
        }
    }
    Column out(type);
    out.Resize(n_);
    StringDictionary& dict = *ctx_.target.dict;
    std::vector<int32_t> no_memo;  // not a kCodes column: no per-category memo
    std::vector<int32_t>& memo = c.kind == SourceColumn::Kind::kCodes && type == ColumnType::kString
                                     ? st_->MemoFor(Cat("prop:", c.name), c.categories)
                                     : no_memo;
    for (size_t r = 0; r < n_; ++r) {
      if (Bad(r)) continue;
      if (type == ColumnType::kDouble && c.kind == SourceColumn::Kind::kDouble) {
        if (!std::isfinite(c.f64[r]) && !std::isnan(c.f64[r])) {
          Reject(r, c.name, Cat(c.f64[r]), "bad_number",
                 Cat("property ", c.name, ": ", c.f64[r], " is not a finite number"));
          continue;
        }
        out.f64[r] = c.f64[r];
        continue;
      }
      if (type == ColumnType::kInt64 && c.kind == SourceColumn::Kind::kInt64) {
        int64_t v = (c.valid && !c.valid[r]) ? kNullInt64 : c.i64[r];
        // Datetime columns (datetime64[ns]) are stored in µs like every time in cdpcore.
        if (c.unit == EpochUnit::kNanos && v != kNullInt64) v = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
        out.i64[r] = v;
        continue;
      }
      if (!memo.empty()) {
        int64_t cat = c.codes32 ? c.codes32[r] : c.codes64[r];
        if (cat < 0 || static_cast<size_t>(cat) >= c.categories->size()) continue;
        int32_t& m = memo[static_cast<size_t>(cat)];
        if (m == -2) m = dict.Intern((*c.categories)[static_cast<size_t>(cat)]);
        out.str[r] = m;
        continue;
      }
      if (!cells_.Text(c, r, &t, &scratch)) continue;
      bool ok = true;
      switch (type) {
        case ColumnType::kString: out.str[r] = dict.Intern(t); break;
        case ColumnType::kInt64: {
          int64_t v;
          double d;
          if (ParseInt64Strict(t, &v) && v != kNullInt64) out.i64[r] = v;
          else if (ParseDoubleStrict(t, &d) && d == std::floor(d) && std::fabs(d) < 9e18)
            out.i64[r] = static_cast<int64_t>(d);
          else ok = false;
          break;
        }
        case ColumnType::kDouble: ok = ParseDoubleStrict(t, &out.f64[r]); break;
        case ColumnType::kBool: {
          int8_t v = ParseBool(t);
          if (v < 0) ok = false; else out.b[r] = v;
          break;
        }
      }
      if (!ok)
        Reject(r, c.name, t, declared == PropertySpec::Type::kAny ? "bad_number" : "plan_violation",
               Cat(declared == PropertySpec::Type::kAny ? "" : "plan: ", "property ", c.name,
                            ": expected ", TypeWord(type), ", got \"", Displayable(Truncate(t, 60)), "\""));
    }
    return out;
  }

  static int8_t ParseBool(std::string_view t) {
    t = Strip(t);
    if (EqualsIgnoreCase(t, "true")) return 1;
    if (EqualsIgnoreCase(t, "false")) return 0;
    return -1;
  }
  static std::string_view TypeWord(ColumnType t) {
    switch (t) {
      case ColumnType::kInt64: return "an integer";
      case ColumnType::kDouble: return "a number";
      case ColumnType::kBool: return "true or false";
      case ColumnType::kString: return "text";
    }
    return "";
  }

  // int64 when every value is an integer without leading zeros, double when every value is a
  // number, bool when every value is true/false, else string.
  ColumnType InferType(const SourceColumn& c) {
    bool all_int = true, all_num = true, all_bool = true, any = false;
    std::string scratch;
    std::string_view t;
    for (size_t r = 0; r < n_ && (all_int || all_num || all_bool); ++r) {
      if (Bad(r) || !cells_.Text(c, r, &t, &scratch)) continue;
      any = true;
      int64_t iv;
      double dv;
      std::string_view digits = t.substr(!t.empty() && t[0] == '-' ? 1 : 0);
      bool leading_zero = digits.size() > 1 && digits[0] == '0';
      if (all_int && (leading_zero || !ParseInt64Strict(t, &iv) || iv == kNullInt64 ||
                      t.find_first_of(" +") != std::string_view::npos))
        all_int = false;
      if (all_num && (leading_zero && digits.size() > 1 && digits[1] != '.' ? true : !ParseDoubleStrict(t, &dv)))
        all_num = false;
      if (all_bool && ParseBool(t) < 0) all_bool = false;
    }
    if (!any) return ColumnType::kString;
    if (all_int) return ColumnType::kInt64;
    if (all_num) return ColumnType::kDouble;
    if (all_bool) return ColumnType::kBool;
    return ColumnType::kString;
  }

  const BatchContext& ctx_;
  const SourceBatch& b_;
  BatchState* st_;
  Cells cells_;
  size_t n_;
  absl::flat_hash_map<std::string_view, int> by_name_;
  std::vector<Pending> pending_;
};


std::string HexId(uint64_t h) { return absl::StrFormat("h%016x", h); }

// dst = src rows `keep`, typed loop (dst is empty on entry).
void GatherRows(const Column& src, const std::vector<uint32_t>& keep, Column* dst) {
  auto gather = [&keep](const auto& from, auto& to) {
    to.resize(keep.size());
    for (size_t i = 0; i < keep.size(); ++i) to[i] = from[keep[i]];
  };
  switch (src.type) {
    case ColumnType::kInt64: gather(src.i64, dst->i64); break;
    case ColumnType::kDouble: gather(src.f64, dst->f64); break;
    case ColumnType::kBool: gather(src.b, dst->b); break;
    case ColumnType::kString: gather(src.str, dst->str); break;
  }
}

}  // namespace

absl::Status ProcessBatch(const BatchContext& ctx, const SourceBatch& b, BatchState* st,
                          EventColumns* out, std::vector<QuarantineRow>* quarantine,
                          IngestReport* report) {
  const size_t n = b.rows;
  report->read += static_cast<int64_t>(n);
  if (b.errors) {
    for (const RowError& e : *b.errors) {
      ++report->read;
      ++report->quarantined;
      std::string code(ErrorCode(e));
      ++report->reasons[code];
      quarantine->push_back(QuarantineRow{ctx.source, e.line, e.column, Displayable(e.value), code,
                                          e.reason, ""});
    }
  }
  if (n == 0) return absl::OkStatus();
  BatchBuilder bb(ctx, b, st);
  StringDictionary& dict = *ctx.target.dict;

  if (ctx.target.erased != nullptr && !ctx.target.erased->empty()) bb.ErasedSubjects();
  bb.CheckUtf8();
  Vec<Micros>& ts = st->ts;
  bb.Timestamps(&ts);

  // Event type.
  Vec<int32_t>& type = st->type;
  auto keep = [](std::string_view s) -> absl::StatusOr<std::string> {
    return std::string(Strip(s));
  };
  bb.StringField("type", keep, true, &type, nullptr);
  for (size_t r = 0; r < n; ++r)
    if (!bb.Bad(r) && type[r] == kNullCode) {
      const FieldBinding& f = bb.Field("type");
      bb.Reject(r, f.column, "", "missing_type",
                f.kind == FieldBinding::kNone ? "missing event type: no column is mapped to type"
                                              : Cat("missing event type in column ", f.column));
    }

  // Identifiers and other string fields.
  const std::string& country = ctx.options.default_country;
  struct Named {
    std::string_view field;
    Vec<int32_t> codes, invalid;
  };
  Named ids[] = {{"user_id", {}, {}}, {"email", {}, {}}, {"phone", {}, {}}, {"device_id", {}, {}},
                 {"anonymous_id", {}, {}}};
  for (Named& id : ids) id.codes = st->TakeCodes(), id.invalid = st->TakeCodes();
  for (Named& id : ids) {
    if (id.field == "email") bb.StringField(id.field, NormalizeEmail, false, &id.codes, &id.invalid);
    else if (id.field == "phone")
      bb.StringField(id.field, [&country](std::string_view s) { return NormalizePhone(s, country); }, false,
                     &id.codes, &id.invalid);
    else bb.StringField(id.field, keep, false, &id.codes, nullptr);
  }
  for (size_t r = 0; r < n; ++r) {
    if (bb.Bad(r)) continue;
    bool any = false, set_aside = false;
    for (const Named& id : ids) {
      any |= id.codes[r] != kNullCode;
      set_aside |= !id.invalid.empty() && id.invalid[r] != kNullCode;
    }
    if (!any)
      bb.Reject(r, "", "", "missing_identifier",
                set_aside ? "no valid identifier: the row's email/phone is invalid and it has no user_id, "
                            "device_id or anonymous_id"
                          : "no identifier: none of user_id, email, phone, device_id, anonymous_id is set");
  }
  Named others[] = {{"channel", {}, {}}, {"campaign", {}, {}}, {"url", {}, {}}, {"country", {}, {}}};
  for (Named& o : others) o.codes = st->TakeCodes(), o.invalid = st->TakeCodes();
  for (Named& o : others) {
    if (o.field == "country") bb.StringField(o.field, NormalizeCountry, false, &o.codes, &o.invalid);
    else bb.StringField(o.field, keep, false, &o.codes, nullptr);
  }
  Vec<double>& revenue = st->revenue;
  bb.Revenue(&revenue);

  // UTM fields from the URL.
  Column utm_source(ColumnType::kString), utm_medium(ColumnType::kString), utm_campaign(ColumnType::kString);
  const bool has_url = bb.Field("url").kind != FieldBinding::kNone;
  if (has_url) {
    utm_source.Resize(n);
    utm_medium.Resize(n);
    utm_campaign.Resize(n);
    const Vec<int32_t>& url = others[2].codes;
    for (size_t r = 0; r < n; ++r) {
      if (bb.Bad(r) || url[r] == kNullCode) continue;
      UtmFields u = ParseUrl(dict.Get(url[r]));
      if (!u.source.empty()) utm_source.str[r] = dict.Intern(u.source);
      if (!u.medium.empty()) utm_medium.str[r] = dict.Intern(u.medium);
      if (!u.campaign.empty()) utm_campaign.str[r] = dict.Intern(u.campaign);
    }
  }

  // Properties: every source column not mapped directly to a field.
  std::vector<std::pair<std::string, Column>> props;
  if (ctx.options.keep_unmapped) {
    for (const SourceColumn& c : b.columns) {
      if (ctx.consumed.contains(c.name)) continue;
      if (FieldIndex(c.name) >= 0 || c.name.ends_with("_invalid") || c.name.rfind("utm_", 0) == 0 ||
          c.name == "profile_key") {
        // A column named like a field that was mapped elsewhere: keep it under a prefixed name.
        props.emplace_back(Cat("src.", c.name), bb.Property(c, DeclaredType(ctx.plan, c.name)));
        continue;
      }
      props.emplace_back(c.name, bb.Property(c, DeclaredType(ctx.plan, c.name)));
    }
  }

  // Assemble named columns (identifiers, fields, properties) for plan checks and staging.
  std::vector<std::pair<std::string, Column>> named;
  size_t recycled = 0;  // named[0, recycled) hold code buffers from the pool; they go back to it
  std::vector<std::pair<std::string, size_t>> set_aside;  // field -> index in named of <field>_invalid
  auto add_codes = [&named, n](std::string_view name, Vec<int32_t>& codes, bool only_if_any) {
    if (codes.empty()) return false;
    if (only_if_any && std::all_of(codes.begin(), codes.end(), [](int32_t c) { return c == kNullCode; }))
      return false;
    Column c(ColumnType::kString);
    c.str = std::move(codes);
    c.str.resize(n, kNullCode);
    named.emplace_back(std::string(name), std::move(c));
    return true;
  };
  for (Named* group : {ids, others}) {
    const size_t count = group == ids ? std::size(ids) : std::size(others);
    for (size_t k = 0; k < count; ++k) {
      Named& f = group[k];
      if (bb.Field(f.field).kind != FieldBinding::kNone) add_codes(f.field, f.codes, false);
      if (add_codes(Cat(f.field, "_invalid"), f.invalid, true))
        set_aside.emplace_back(std::string(f.field), named.size() - 1);
    }
  }
  recycled = named.size();
  if (has_url) {
    named.emplace_back("utm_source", std::move(utm_source));
    named.emplace_back("utm_medium", std::move(utm_medium));
    named.emplace_back("utm_campaign", std::move(utm_campaign));
  }
  const size_t first_prop = named.size();
  for (auto& p : props) named.push_back(std::move(p));

  // Tracking plan.
  if (ctx.plan != nullptr) {
    const TrackingPlan& plan = *ctx.plan;
    absl::flat_hash_map<std::string_view, NamedValue> values;
    for (auto& [name, col] : named) values[name] = NamedValue{&col, nullptr};
    if (bb.Field("revenue").kind != FieldBinding::kNone) values["revenue"] = NamedValue{nullptr, &revenue};
    absl::flat_hash_map<int32_t, const EventSpec*> spec_of;
    for (size_t r = 0; r < n; ++r) {
      if (bb.Bad(r)) continue;
      auto [it, inserted] = spec_of.try_emplace(type[r], nullptr);
      if (inserted) {
        auto e = plan.events.find(dict.Get(type[r]));
        it->second = e == plan.events.end() ? nullptr : &e->second;
      }
      const EventSpec* spec = it->second;
      std::string_view tname = dict.Get(type[r]);
      if (spec == nullptr && !plan.allow_unplanned_events) {
        bb.Reject(r, bb.Field("type").column, tname, "plan_violation",
                  Cat("plan: event type \"", tname, "\" is not in the tracking plan"));
        continue;
      }
      std::string violation;
      std::string_view at;
      if (spec != nullptr) {
        for (const std::string& req : spec->required) {
          if (req == "event_id" || req == "ts" || req == "type") continue;  // every accepted row has them
          auto v = values.find(req);
          if (v == values.end() || IsNullAt(v->second, r)) {
            violation = Cat("plan: ", tname, " requires \"", req, "\", which is missing");
            at = req;
            break;
          }
        }
      }
      auto check_all = [&](const std::map<std::string, PropertySpec, std::less<>>& specs) {
        for (const auto& [pname, pspec] : specs) {
          if (!violation.empty()) return;
          auto v = values.find(pname);
          if (v == values.end()) continue;
          std::string why = CheckSpec(pspec, pname, v->second, r, dict, tname);
          if (!why.empty()) violation = Cat("plan: ", why), at = pname;
        }
      };
      check_all(plan.properties);
      if (spec != nullptr) check_all(spec->properties);
      if (violation.empty() && spec != nullptr && !spec->additional_properties) {
        for (size_t k = first_prop; k < named.size(); ++k) {
          const auto& [pname, col] = named[k];
          if (col.IsNull(r) || spec->properties.contains(pname) || plan.properties.contains(pname)) continue;
          violation = Cat("plan: property \"", pname, "\" is not allowed for ", tname);
          at = pname;
          break;
        }
      }
      if (!violation.empty()) {
        auto v = values.find(at);
        std::string raw = v == values.end() || IsNullAt(v->second, r) ? "" : TextAt(v->second, r, dict);
        bb.Reject(r, at, raw, "plan_violation", violation);
      }
    }
  }

  // Event ids: mapped column, else a hash of the row's content (so re-reading a file adds 0).
  const FieldBinding& idf = bb.Field("event_id");
  const SourceColumn* idc = idf.kind == FieldBinding::kColumn ? bb.Col(idf.column) : nullptr;
  st->id_arena.clear();
  st->id_span.assign(n, {0, 0});
  std::vector<size_t> by_name(b.columns.size());
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&b](size_t x, size_t y) { return b.columns[x].name < b.columns[y].name; });
  std::string scratch, row_text;
  for (size_t r = 0; r < n; ++r) {
    if (bb.Bad(r)) continue;
    std::string_view id;
    if (idc != nullptr) {
      if (!bb.cells_.Text(*idc, r, &id, &scratch) || Strip(id).empty()) {
        bb.Reject(r, idc->name, "", "missing_event_id", Cat("missing event_id in column ", idc->name));
        continue;
      }
    } else if (idf.kind == FieldBinding::kLine) {
      const int64_t line = b.lines ? b.lines[r] : b.first_line + static_cast<int64_t>(r);
      scratch = Cat(ctx.source, "#", line);
      id = scratch;
    } else if (idf.kind != FieldBinding::kNone) {
      bb.Reject(r, idf.column, "", "missing_event_id",
                Cat("missing event_id: column ", idf.column, " is absent"));
      continue;
    } else {
      // Hash of the row's non-null cells by column name (order- and batch-independent).
      row_text.clear();
      for (size_t ci : by_name) {
        const SourceColumn& c = b.columns[ci];
        std::string_view t;
        if (!bb.cells_.Text(c, r, &t, &scratch)) continue;
        row_text += c.name;
        row_text += '\x1f';
        row_text.append(t);
        row_text += '\x1d';
      }
      scratch = HexId(StableHash64(row_text));
      id = scratch;
    }
    st->id_span[r] = {static_cast<uint32_t>(st->id_arena.size()), static_cast<uint32_t>(id.size())};
    st->id_arena.append(id);
  }

  // Dedupe, then stage accepted rows.
  std::vector<uint32_t> arrival(n, UINT32_MAX);
  std::vector<std::string_view> batch_ids;
  std::vector<uint32_t> rows_with_id;
  batch_ids.reserve(n);
  rows_with_id.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    if (bb.Bad(r)) continue;
    auto [off, len] = st->id_span[r];
    batch_ids.push_back(std::string_view(st->id_arena).substr(off, len));
    rows_with_id.push_back(static_cast<uint32_t>(r));
  }
  std::vector<uint32_t> ids_out;
  ctx.target.ids->InsertMany(batch_ids, &ids_out);
  size_t accepted = 0;
  for (size_t i = 0; i < rows_with_id.size(); ++i) {
    if (ids_out[i] == UINT32_MAX) {
      ++report->duplicates;
      continue;
    }
    arrival[rows_with_id[i]] = ids_out[i];
    ++accepted;
  }
  report->accepted += static_cast<int64_t>(accepted);
  std::vector<uint32_t> kept;
  kept.reserve(accepted);
  for (size_t r = 0; r < n; ++r)
    if (arrival[r] != UINT32_MAX) kept.push_back(static_cast<uint32_t>(r));
  out->ClearRows();
  out->Reserve(accepted);
  for (uint32_t r : kept) {
    out->ts.push_back(ts[r]);
    out->type.push_back(type[r]);
    out->revenue.push_back(revenue[r]);
    out->arrival.push_back(arrival[r]);
  }
  // Provisional profile key: the first identifier in priority order.
  struct IdCol {
    std::string_view field;
    const Column* col;
    std::vector<int32_t>* memo;
  };
  std::vector<IdCol> id_cols;
  for (size_t f = 0; f < std::size(kIdentifierFields); ++f)
    for (const auto& [name, col] : named)
      if (name == kIdentifierFields[f]) id_cols.push_back(IdCol{kIdentifierFields[f], &col, &st->key_memo[f]});
  std::string key;
  for (uint32_t r : kept) {
    int32_t profile = kNullCode;
    for (const IdCol& id : id_cols) {
      int32_t code = id.col->str[r];
      if (code == kNullCode) continue;
      std::vector<int32_t>& memo = *id.memo;
      if (static_cast<size_t>(code) >= memo.size()) memo.resize(static_cast<size_t>(dict.size()), kNullCode);
      profile = memo[static_cast<size_t>(code)];
      if (profile == kNullCode) {
        key.assign(id.field);
        key += ':';
        key.append(dict.Get(code));
        profile = memo[static_cast<size_t>(code)] = ctx.target.keys->Intern(key);
      }
      break;
    }
    out->profile.push_back(profile);
  }
  for (const auto& [name, col] : named) {
    Column& d = out->FindOrAdd(name, col.type);
    if (d.type != col.type) d = Column(col.type);  // the buffer is empty: retype it for this batch
    GatherRows(col, kept, &d);
  }
  for (Column& c : out->columns) c.Resize(accepted);  // columns of earlier batches absent here: null

  // Quarantine rows of this batch.
  for (const Pending& p : bb.pending_) {
    if (p.code == kErasedSubject) {  // counted, never kept: the row would hold the person's data
      ++report->quarantined;
      ++report->reasons[p.code];
      continue;
    }
    std::string record = "{";
    for (const SourceColumn& c : b.columns) {
      std::string_view t;
      if (record.size() > 1) record += ',';
      record += JsonQuote(Displayable(c.name));
      record += ':';
      record += bb.cells_.Text(c, p.row, &t, &scratch) ? JsonQuote(Displayable(Truncate(t, 4096))) : "null";
    }
    record += '}';
    int64_t line = b.lines ? b.lines[p.row] : b.first_line + static_cast<int64_t>(p.row);
    quarantine->push_back(QuarantineRow{ctx.source, line, p.column, p.value, p.code, p.reason, std::move(record)});
    ++report->quarantined;
    ++report->reasons[p.code];
  }
  // Warnings count accepted rows only: a field set aside as `<field>_invalid`.
  for (const auto& [field, k] : set_aside) {
    const Column& col = named[k].second;
    int64_t count = 0;
    for (size_t r = 0; r < n; ++r) count += arrival[r] != UINT32_MAX && col.str[r] != kNullCode;
    if (count) report->warnings[Cat("invalid_", field)] += count;
  }
  // Hand the pooled code buffers back for the next batch (only those taken from the pool).
  for (size_t k = 0; k < recycled; ++k) st->spare.push_back(std::move(named[k].second.str));
  for (Named* group : {ids, others})
    for (size_t k = 0; k < (group == ids ? std::size(ids) : std::size(others)); ++k) {
      if (group[k].codes.capacity()) st->spare.push_back(std::move(group[k].codes));
      if (group[k].invalid.capacity()) st->spare.push_back(std::move(group[k].invalid));
    }
  return absl::OkStatus();
}

}  // namespace cdp::internal
