// Vectorized evaluation of a compiled expression: each node produces a whole column of values for
// a range of rows (profiles, or events inside an aggregate's where=), then its parent combines
// columns element-wise. Booleans are three-valued (0 false, 1 true, 2 null; Kleene logic).
#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>

#include "absl/container/flat_hash_map.h"
#include "core/strings.hpp"
#include "query/ast.hpp"

namespace cdp {

using query_internal::Agg;
using query_internal::Arith;
using query_internal::Cmp;
using query_internal::Fn;
using query_internal::Kind;
using query_internal::Node;

namespace {

constexpr uint8_t kF = 0, kT = 1, kN = 2;  // three-valued booleans
constexpr double kMicrosPerDayD = 86400e6;

// A column of values of one type for rows [0, n) of the current range, or one value (scalar).
struct Vals {
  ValueType type = ValueType::kNull;
  bool scalar = false;
  // Scratch buffers: reused across queries, so columns of millions of rows are faulted in once.
  ScratchVec<double> num;   // kNumber (NaN = null)
  ScratchVec<int64_t> i64;  // kTime, kDuration (kNullInt64 = null)
  ScratchVec<int32_t> str;  // kString codes of `dict` (kNullCode = null)
  ScratchVec<uint8_t> b;    // kBool
  const StringDictionary* dict = nullptr;
  std::string text;          // a scalar string literal (no dictionary)
  bool literal = false;      // scalar string held in `text`

  size_t At(size_t i) const { return scalar ? 0 : i; }
  bool IsNull(size_t i) const {
    switch (type) {
      case ValueType::kNumber: return std::isnan(num[At(i)]);
      case ValueType::kTime:
      case ValueType::kDuration: return i64[At(i)] == kNullInt64;
      case ValueType::kString: return !literal && str[At(i)] == kNullCode;
      case ValueType::kBool: return b[At(i)] == kN;
      case ValueType::kNull: return true;
    }
    return true;
  }
  std::string_view Text(size_t i) const { return literal ? std::string_view(text) : dict->Get(str[At(i)]); }
};

Vals Bools(size_t n) {
  Vals v;
  v.type = ValueType::kBool;
  v.b.assign(n, kN);
  return v;
}

class Evaluator {
 public:
  explicit Evaluator(const QueryData& d) : d_(d) {}

  // Rows [b, e) are profile ids (profile scope) or event rows (inside where=).
  absl::StatusOr<Vals> Eval(const Node& n, size_t b, size_t e) {
    const size_t count = e - b;
    switch (n.kind) {
      case Kind::kLiteral: return Literal(n);
      case Kind::kColumn: return ProfileColumn(n, b, e);
      case Kind::kEventColumn: return EventColumn(n.str, n.type, b, e);
      case Kind::kNot: {
        auto a = Eval(*n.args[0], b, e);
        if (!a.ok()) return a;
        for (uint8_t& x : a->b) x = x == kN ? kN : static_cast<uint8_t>(1 - x);
        return a;
      }
      case Kind::kAnd:
      case Kind::kOr: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        auto y = Eval(*n.args[1], b, e);
        if (!y.ok()) return y;
        // Kleene truth tables, indexed by 3 * p + q.
        static constexpr uint8_t kAndTable[9] = {kF, kF, kF, kF, kT, kN, kF, kN, kN};
        static constexpr uint8_t kOrTable[9] = {kF, kT, kN, kT, kT, kT, kN, kT, kN};
        const uint8_t* table = n.kind == Kind::kAnd ? kAndTable : kOrTable;
        Vals out = Bools(count);
        Binary(x->b, x->scalar, y->b, y->scalar, count, out.b.data(),
               [table](uint8_t p, uint8_t q) { return table[3 * p + q]; });
        return out;
      }
      case Kind::kCompare: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        auto y = Eval(*n.args[1], b, e);
        if (!y.ok()) return y;
        return Compare(n.cmp, *x, *y, count);
      }
      case Kind::kBetween: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        auto lo = Eval(*n.args[1], b, e);
        if (!lo.ok()) return lo;
        auto hi = Eval(*n.args[2], b, e);
        if (!hi.ok()) return hi;
        Vals p = Compare(Cmp::kGe, *x, *lo, count), q = Compare(Cmp::kLe, *x, *hi, count);
        // Kleene and of the two bounds, then negated (not between) with null staying null.
        static constexpr uint8_t kBetween[2][9] = {{kF, kF, kF, kF, kT, kN, kF, kN, kN},
                                                   {kT, kT, kT, kT, kF, kN, kT, kN, kN}};
        const uint8_t* table = kBetween[n.negate ? 1 : 0];
        uint8_t* pb = p.b.data();
        const uint8_t* qb = q.b.data();
        for (size_t i = 0; i < count; ++i) pb[i] = table[3 * pb[i] + qb[i]];
        return p;
      }
      case Kind::kIn: return In(n, b, e);
      case Kind::kIsNull: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        Vals out = Bools(count);
        for (size_t i = 0; i < count; ++i) out.b[i] = static_cast<uint8_t>(x->IsNull(i) != n.negate);
        return out;
      }
      case Kind::kArith: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        auto y = Eval(*n.args[1], b, e);
        if (!y.ok()) return y;
        return Arithmetic(n, *x, *y, count);
      }
      case Kind::kNeg: {
        auto x = Eval(*n.args[0], b, e);
        if (!x.ok()) return x;
        for (double& v : x->num) v = -v;
        for (int64_t& v : x->i64) v = v == kNullInt64 ? v : -v;
        return x;
      }
      case Kind::kCall: return Call(n, b, e);
      case Kind::kAggregate: return Aggregate(n, b, e);
    }
    return absl::InternalError("unknown expression node");
  }

 private:
  static Vals Literal(const Node& n) {
    Vals v;
    v.type = n.type, v.scalar = true;
    switch (n.type) {
      case ValueType::kNumber: v.num = {n.num}; break;
      case ValueType::kTime:
      case ValueType::kDuration: v.i64 = {n.i64}; break;
      case ValueType::kBool: v.b = {static_cast<uint8_t>(n.i64)}; break;
      case ValueType::kString: v.literal = true, v.text = n.str; break;
      case ValueType::kNull: break;
    }
    return v;
  }

  // Reads rows [b, e) of a column as values of type `t`.
  static Vals FromColumn(const Column& c, ValueType t, const StringDictionary* dict, size_t b, size_t e) {
    Vals v;
    v.type = t;
    const size_t n = e - b;
    switch (t) {
      case ValueType::kNumber:
        switch (c.type) {
          case ColumnType::kInt64: {
            v.num.resize(n);
            const int64_t* src = c.i64.data() + b;
            for (size_t i = 0; i < n; ++i) v.num[i] = src[i] == kNullInt64 ? NAN : static_cast<double>(src[i]);
            break;
          }
          case ColumnType::kDouble: v.num.assign(c.f64.begin() + static_cast<ptrdiff_t>(b), c.f64.begin() + static_cast<ptrdiff_t>(e)); break;
          case ColumnType::kBool: {
            v.num.resize(n);
            const int8_t* src = c.b.data() + b;
            for (size_t i = 0; i < n; ++i) v.num[i] = src[i] == kNullBool ? NAN : src[i];
            break;
          }
          case ColumnType::kString: v.num.assign(n, NAN); break;
        }
        break;
      case ValueType::kTime:
      case ValueType::kDuration:
        if (c.type == ColumnType::kInt64) v.i64.assign(c.i64.begin() + static_cast<ptrdiff_t>(b), c.i64.begin() + static_cast<ptrdiff_t>(e));
        else v.i64.assign(n, kNullInt64);
        break;
      case ValueType::kBool:
        v.b.resize(n);
        for (size_t i = 0; i < n; ++i) v.b[i] = c.type == ColumnType::kBool && c.b[b + i] != kNullBool ? static_cast<uint8_t>(c.b[b + i] != 0) : kN;
        break;
      case ValueType::kString:
        v.dict = dict;
        if (c.type == ColumnType::kString) v.str.assign(c.str.begin() + static_cast<ptrdiff_t>(b), c.str.begin() + static_cast<ptrdiff_t>(e));
        else v.str.assign(n, kNullCode);
        break;
      case ValueType::kNull: break;
    }
    return v;
  }

  absl::StatusOr<Vals> ProfileColumn(const Node& n, size_t b, size_t e) const {
    const Column* c = d_.profile_columns ? d_.profile_columns->Find(n.str) : nullptr;
    if (c == nullptr) return absl::InvalidArgumentError(Cat("profile column '", n.str, "' is missing from the query data"));
    return FromColumn(*c, n.type, d_.profile_columns->dict.get(), b, e);
  }

  Vals EventColumn(std::string_view name, ValueType t, size_t b, size_t e) const {
    const EventColumns& ev = *d_.events;
    Vals v;
    v.type = t;
    if (name == "ts") {
      v.i64.assign(ev.ts.begin() + static_cast<ptrdiff_t>(b), ev.ts.begin() + static_cast<ptrdiff_t>(e));
    } else if (name == "type") {
      v.dict = d_.event_dict;
      v.str.assign(ev.type.begin() + static_cast<ptrdiff_t>(b), ev.type.begin() + static_cast<ptrdiff_t>(e));
    } else if (name == "revenue") {
      v.num.assign(ev.revenue.begin() + static_cast<ptrdiff_t>(b), ev.revenue.begin() + static_cast<ptrdiff_t>(e));
    } else if (const Column* c = ev.Find(name)) {
      return FromColumn(*c, t, d_.event_dict, b, e);
    } else {  // a column the store lost since compilation cannot happen; read as null
      Vals nulls;
      nulls.type = t, nulls.dict = d_.event_dict;
      const size_t n = e - b;
      nulls.num.assign(t == ValueType::kNumber ? n : 0, NAN);
      nulls.i64.assign(t == ValueType::kTime ? n : 0, kNullInt64);
      nulls.str.assign(t == ValueType::kString ? n : 0, kNullCode);
      nulls.b.assign(t == ValueType::kBool ? n : 0, kN);
      return nulls;
    }
    return v;
  }

  template <typename T>
  static uint8_t Order(Cmp c, const T& x, const T& y) {
    switch (c) {
      case Cmp::kEq: return x == y;
      case Cmp::kNe: return x != y;
      case Cmp::kLt: return x < y;
      case Cmp::kLe: return x <= y;
      case Cmp::kGt: return x > y;
      case Cmp::kGe: return x >= y;
    }
    return 0;
  }

  // out[i] = f(x[i], y[i]) with a scalar operand broadcast; the loops have no per-row branches
  // on the operands' shape, so they vectorize.
  template <typename A, typename B, typename F>
  static void Binary(const A& x, bool xs, const B& y, bool ys, size_t n, uint8_t* out, F f) {
    if (xs && ys) {
      const uint8_t v = f(x[0], y[0]);
      std::fill(out, out + n, v);
    } else if (xs) {
      const auto a = x[0];
      const auto* q = y.data();
      for (size_t i = 0; i < n; ++i) out[i] = f(a, q[i]);
    } else if (ys) {
      const auto* p = x.data();
      const auto c = y[0];
      for (size_t i = 0; i < n; ++i) out[i] = f(p[i], c);
    } else {
      const auto* p = x.data();
      const auto* q = y.data();
      for (size_t i = 0; i < n; ++i) out[i] = f(p[i], q[i]);
    }
  }

  // Comparison of two typed columns with null -> kN; `null(v)` tells a null value.
  template <typename V, typename Null>
  static void CompareTyped(Cmp c, const V& x, bool xs, const V& y, bool ys, size_t n, uint8_t* out, Null null) {
    using T = typename V::value_type;
    auto run = [&](auto op) {
      // Branch-free: nulls are common (attributes most profiles lack) and would mispredict.
      Binary(x, xs, y, ys, n, out, [&](T p, T q) -> uint8_t {
        const uint8_t r = static_cast<uint8_t>(op(p, q));
        const uint8_t mask = static_cast<uint8_t>(-static_cast<int>(null(p) | null(q)));
        return static_cast<uint8_t>((r & ~mask) | (kN & mask));
      });
    };
    switch (c) {
      case Cmp::kEq: run([](T p, T q) { return p == q; }); break;
      case Cmp::kNe: run([](T p, T q) { return p != q; }); break;
      case Cmp::kLt: run([](T p, T q) { return p < q; }); break;
      case Cmp::kLe: run([](T p, T q) { return p <= q; }); break;
      case Cmp::kGt: run([](T p, T q) { return p > q; }); break;
      case Cmp::kGe: run([](T p, T q) { return p >= q; }); break;
    }
  }

  static Vals Compare(Cmp c, const Vals& x, const Vals& y, size_t n) {
    Vals out = Bools(n);
    switch (x.type) {
      case ValueType::kNumber:
        CompareTyped(c, x.num, x.scalar, y.num, y.scalar, n, out.b.data(), [](double v) { return v != v; });
        break;
      case ValueType::kTime:
      case ValueType::kDuration:
        CompareTyped(c, x.i64, x.scalar, y.i64, y.scalar, n, out.b.data(), [](int64_t v) { return v == kNullInt64; });
        break;
      case ValueType::kBool:
        CompareTyped(c, x.b, x.scalar, y.b, y.scalar, n, out.b.data(), [](uint8_t v) { return v == kN; });
        break;
      case ValueType::kString: {
        const bool eq = c == Cmp::kEq || c == Cmp::kNe;
        if (eq && (x.literal || y.literal) && !(x.literal && y.literal)) {
          // Column against a literal: one dictionary lookup, then code comparisons.
          const Vals& col = x.literal ? y : x;
          const Vals& lit = x.literal ? x : y;
          const std::optional<int32_t> code = col.dict->Find(lit.text);
          const int32_t k = code ? *code : INT32_MIN;
          for (size_t i = 0; i < n; ++i) {
            const int32_t v = col.str[col.At(i)];
            out.b[i] = v == kNullCode ? kN : static_cast<uint8_t>((v == k) == (c == Cmp::kEq));
          }
        } else if (eq && !x.literal && !y.literal && x.dict == y.dict) {
          for (size_t i = 0; i < n; ++i) {
            const int32_t p = x.str[x.At(i)], q = y.str[y.At(i)];
            out.b[i] = (p == kNullCode || q == kNullCode) ? kN : static_cast<uint8_t>((p == q) == (c == Cmp::kEq));
          }
        } else {
          for (size_t i = 0; i < n; ++i)
            out.b[i] = (x.IsNull(i) || y.IsNull(i)) ? kN : Order(c, x.Text(i), y.Text(i));
        }
        break;
      }
      case ValueType::kNull: break;
    }
    return out;
  }

  absl::StatusOr<Vals> In(const Node& n, size_t b, size_t e) {
    auto x = Eval(*n.args[0], b, e);
    if (!x.ok()) return x;
    const size_t count = e - b;
    Vals out = Bools(count);
    const auto yes = static_cast<uint8_t>(!n.negate), no = static_cast<uint8_t>(n.negate);
    switch (x->type) {
      case ValueType::kString: {
        std::vector<int32_t> codes;
        std::vector<std::string_view> texts;
        for (size_t k = 1; k < n.args.size(); ++k) {
          texts.push_back(n.args[k]->str);
          if (!x->literal)
            if (auto c = x->dict->Find(n.args[k]->str)) codes.push_back(*c);
        }
        for (size_t i = 0; i < count; ++i) {
          if (x->IsNull(i)) continue;
          bool hit;
          if (x->literal) hit = std::find(texts.begin(), texts.end(), x->text) != texts.end();
          else hit = std::find(codes.begin(), codes.end(), x->str[x->At(i)]) != codes.end();
          out.b[i] = hit ? yes : no;
        }
        break;
      }
      case ValueType::kNumber:
        for (size_t i = 0; i < count; ++i) {
          if (x->IsNull(i)) continue;
          bool hit = false;
          for (size_t k = 1; k < n.args.size(); ++k) hit = hit || x->num[x->At(i)] == n.args[k]->num;
          out.b[i] = hit ? yes : no;
        }
        break;
      default:
        for (size_t i = 0; i < count; ++i) {
          if (x->IsNull(i)) continue;
          bool hit = false;
          for (size_t k = 1; k < n.args.size(); ++k) hit = hit || x->i64[x->At(i)] == n.args[k]->i64;
          out.b[i] = hit ? yes : no;
        }
        break;
    }
    return out;
  }

  static Vals Arithmetic(const Node& n, const Vals& x, const Vals& y, size_t count) {
    Vals out;
    out.type = n.type;
    if (x.type == ValueType::kNumber && y.type == ValueType::kNumber) {
      out.num.resize(count);
      for (size_t i = 0; i < count; ++i) {
        const double p = x.num[x.At(i)], q = y.num[y.At(i)];
        switch (n.arith) {
          case Arith::kAdd: out.num[i] = p + q; break;
          case Arith::kSub: out.num[i] = p - q; break;
          case Arith::kMul: out.num[i] = p * q; break;
          case Arith::kDiv: out.num[i] = q == 0 ? NAN : p / q; break;  // x / 0 is null
        }
      }
      return out;
    }
    // Time and duration arithmetic in µs; numbers scale durations.
    auto micros = [](const Vals& v, size_t i, bool* null) -> double {
      if (v.type == ValueType::kNumber) {
        const double d = v.num[v.At(i)];
        *null = *null || std::isnan(d);
        return d;
      }
      const int64_t t = v.i64[v.At(i)];
      *null = *null || t == kNullInt64;
      return static_cast<double>(t);
    };
    if (n.type == ValueType::kNumber) out.num.resize(count);
    else out.i64.resize(count);
    for (size_t i = 0; i < count; ++i) {
      bool null = false;
      const double p = micros(x, i, &null), q = micros(y, i, &null);
      if (n.type == ValueType::kNumber) {  // duration / duration
        out.num[i] = (null || q == 0) ? NAN : p / q;
        continue;
      }
      if (null) {
        out.i64[i] = kNullInt64;
        continue;
      }
      if (x.type != ValueType::kNumber && y.type != ValueType::kNumber) {  // exact integer µs
        const int64_t a = x.i64[x.At(i)], c = y.i64[y.At(i)];
        out.i64[i] = n.arith == Arith::kAdd ? a + c : a - c;
        continue;
      }
      double r = n.arith == Arith::kMul ? p * q : (q == 0 ? NAN : p / q);
      out.i64[i] = std::isnan(r) ? kNullInt64 : static_cast<int64_t>(std::llround(r));
    }
    return out;
  }

  // Applies `f` once per distinct string code (values repeat: attributes, event fields).
  template <typename F>
  static Vals PerString(const Vals& s, size_t count, F f) {
    Vals out = Bools(count);
    absl::flat_hash_map<int32_t, uint8_t> memo;
    for (size_t i = 0; i < count; ++i) {
      if (s.IsNull(i)) continue;
      if (s.literal) {
        out.b[i] = f(std::string_view(s.text));
        continue;
      }
      const int32_t code = s.str[s.At(i)];
      auto [it, fresh] = memo.try_emplace(code, 0);
      if (fresh) it->second = f(s.dict->Get(code));
      out.b[i] = it->second;
    }
    return out;
  }

  static std::string LowerText(std::string_view s) {
    std::string o(s);
    for (char& c : o) c = AsciiLower(c);
    return o;
  }

  absl::StatusOr<Vals> Call(const Node& n, size_t b, size_t e) {
    const size_t count = e - b;
    std::vector<Vals> a;
    for (const auto& arg : n.args) {
      auto v = Eval(*arg, b, e);
      if (!v.ok()) return v;
      a.push_back(std::move(*v));
    }
    Vals out;
    out.type = n.type;
    auto numbers = [&](auto f) {
      out.num.resize(count);
      for (size_t i = 0; i < count; ++i) out.num[i] = f(i);
    };
    switch (n.fn) {
      case Fn::kLower:
      case Fn::kUpper: {
        scratch_.emplace_back();
        StringDictionary& dict = scratch_.back();
        out.dict = &dict;
        out.str.resize(count);
        absl::flat_hash_map<int32_t, int32_t> memo;
        for (size_t i = 0; i < count; ++i) {
          if (a[0].IsNull(i)) {
            out.str[i] = kNullCode;
            continue;
          }
          const int32_t code = a[0].literal ? -1 : a[0].str[a[0].At(i)];
          auto [it, fresh] = memo.try_emplace(code, 0);
          if (fresh) {
            std::string t(a[0].Text(i));
            for (char& c : t) c = n.fn == Fn::kLower ? AsciiLower(c) : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            it->second = dict.Intern(t);
          }
          out.str[i] = it->second;
        }
        return out;
      }
      case Fn::kLength: {
        numbers([&](size_t i) {
          if (a[0].IsNull(i)) return static_cast<double>(NAN);
          double chars = 0;
          for (char c : a[0].Text(i)) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
          return chars;
        });
        return out;
      }
      case Fn::kContains:
      case Fn::kStartsWith:
      case Fn::kEndsWith:
      case Fn::kHas: {
        const std::string needle = a[1].text;
        const std::string lneedle = LowerText(needle);
        const Fn fn = n.fn;
        return PerString(a[0], count, [&](std::string_view s) -> uint8_t {
          switch (fn) {
            case Fn::kContains: return s.find(needle) != std::string_view::npos;
            case Fn::kStartsWith: return s.substr(0, needle.size()) == needle;
            case Fn::kEndsWith: return s.size() >= needle.size() && s.substr(s.size() - needle.size()) == needle;
            default: {  // has: one item of a ';' or ',' separated list, case-insensitive
              size_t start = 0;
              while (start <= s.size()) {
                size_t end = s.find_first_of(";,", start);
                if (end == std::string_view::npos) end = s.size();
                if (EqualsIgnoreCase(Strip(s.substr(start, end - start)), lneedle)) return 1;
                start = end + 1;
              }
              return 0;
            }
          }
        });
      }
      case Fn::kAbs: numbers([&](size_t i) { return std::fabs(a[0].num[a[0].At(i)]); }); return out;
      case Fn::kLog:
        numbers([&](size_t i) {
          const double v = a[0].num[a[0].At(i)];
          return v > 0 ? std::log(v) : static_cast<double>(NAN);
        });
        return out;
      case Fn::kRound: {
        const double scale = a.size() > 1 ? std::pow(10.0, a[1].num[0]) : 1.0;
        numbers([&](size_t i) { return std::round(a[0].num[a[0].At(i)] * scale) / scale; });
        return out;
      }
      case Fn::kDaysSince:
        numbers([&](size_t i) {
          const int64_t t = a[0].i64[a[0].At(i)];
          return t == kNullInt64 ? static_cast<double>(NAN) : static_cast<double>(d_.clock - t) / kMicrosPerDayD;
        });
        return out;
      case Fn::kDays:
        numbers([&](size_t i) {
          const int64_t t = a[0].i64[a[0].At(i)];
          return t == kNullInt64 ? static_cast<double>(NAN) : static_cast<double>(t) / kMicrosPerDayD;
        });
        return out;
      case Fn::kNow: out.scalar = true, out.i64 = {d_.clock}; return out;
      case Fn::kDate: return absl::InternalError("date() is folded at compile time");
      case Fn::kDistanceKm:
        numbers([&](size_t i) {  // haversine on a sphere of the mean Earth radius (IUGG, 6371.0088 km)
          constexpr double kRad = std::numbers::pi / 180.0;
          const double la1 = a[0].num[a[0].At(i)] * kRad, lo1 = a[1].num[a[1].At(i)] * kRad;
          const double la2 = a[2].num[a[2].At(i)] * kRad, lo2 = a[3].num[a[3].At(i)] * kRad;
          if (std::isnan(la1 + lo1 + la2 + lo2)) return static_cast<double>(NAN);  // a missing coordinate
          const double s1 = std::sin((la2 - la1) / 2), s2 = std::sin((lo2 - lo1) / 2);
          const double h = s1 * s1 + std::cos(la1) * std::cos(la2) * s2 * s2;
          return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(h)));
        });
        return out;
      case Fn::kCoalesce: {
        out = a[0];
        out.scalar = false;
        // Materialize row by row: the first non-null argument wins.
        Vals r;
        r.type = n.type;
        r.dict = nullptr;
        switch (n.type) {
          case ValueType::kNumber: r.num.assign(count, NAN); break;
          case ValueType::kTime:
          case ValueType::kDuration: r.i64.assign(count, kNullInt64); break;
          case ValueType::kBool: r.b.assign(count, kN); break;
          case ValueType::kString: r.str.assign(count, kNullCode); break;
          case ValueType::kNull: return Bools(count);
        }
        if (n.type == ValueType::kString) {  // one dictionary for the result
          scratch_.emplace_back();
          r.dict = &scratch_.back();
        }
        for (size_t i = 0; i < count; ++i)
          for (const Vals& v : a) {
            if (v.type == ValueType::kNull || v.IsNull(i)) continue;
            switch (n.type) {
              case ValueType::kNumber: r.num[i] = v.num[v.At(i)]; break;
              case ValueType::kTime:
              case ValueType::kDuration: r.i64[i] = v.i64[v.At(i)]; break;
              case ValueType::kBool: r.b[i] = v.b[v.At(i)]; break;
              case ValueType::kString: r.str[i] = scratch_.back().Intern(v.Text(i)); break;
              case ValueType::kNull: break;
            }
            break;
          }
        return r;
      }
    }
    return absl::InternalError("unknown function");
  }

  // Event aggregates over profiles [b, e): one pass over their events.
  absl::StatusOr<Vals> Aggregate(const Node& n, size_t b, size_t e) {
    const EventColumns& ev = *d_.events;
    const int64_t* eb = d_.event_begin;
    const size_t rb = static_cast<size_t>(eb[b]), re = static_cast<size_t>(eb[e]);
    const size_t rows = re - rb;
    // Row filter in one branch-free pass: type (not for sequence: its steps test types), window
    // [lo, hi), then where.
    Micros lo = n.since, hi = n.until;  // [lo, hi)
    if (n.last > 0) lo = std::max(lo, d_.clock - n.last + 1), hi = std::min(hi, d_.clock + 1);
    if (d_.as_of) hi = std::min(hi, d_.clock + 1);
    std::vector<int32_t> codes;  // event type codes; a type no event has never matches
    for (const std::string& t : n.types) codes.push_back(d_.event_dict->Find(t).value_or(INT32_MIN));
    const bool test_type = !codes.empty() && n.agg != Agg::kSequence;
    const Micros* ts = ev.ts.data() + rb;
    const int32_t* type = ev.type.data() + rb;
    // With where= (or for sequence, whose steps test types themselves) the filter is built once
    // into a byte per row; otherwise the test is fused into the reduction loop (no buffer: a
    // buffer of millions of rows costs more in page faults than the test itself).
    ScratchVec<uint8_t> keep;
    if (n.where || n.agg == Agg::kSequence) {
      keep.resize(rows);
      for (size_t r = 0; r < rows; ++r) keep[r] = (ts[r] >= lo) & (ts[r] < hi);
      if (test_type)
        for (size_t r = 0; r < rows; ++r) {
          uint8_t hit = 0;
          for (int32_t c : codes) hit |= type[r] == c;
          keep[r] &= hit;
        }
      if (n.where) {
        auto w = Eval(*n.where, rb, re);
        if (!w.ok()) return w;
        for (size_t r = 0; r < rows; ++r) keep[r] &= w->b[w->At(r)] == kT;
      }
      if (n.agg == Agg::kSequence) return Sequence(n, codes, keep, b, e);
      return Reduce(n, b, e, [&keep](size_t r) { return keep[r] != 0; });
    }
    if (test_type && codes.size() == 1) {
      const int32_t c = codes[0];
      if (d_.type_index != nullptr && n.agg != Agg::kCountDistinct && (n.str.empty() || DoubleField(n)))
        return ReduceIndexed(n, b, e, c, lo, hi);
      return Reduce(n, b, e, [=](size_t r) { return (type[r] == c) & (ts[r] >= lo) & (ts[r] < hi); });
    }
    return Reduce(n, b, e, [&codes, test_type, ts, type, lo, hi](size_t r) {
      bool hit = !test_type;
      for (int32_t c : codes) hit |= type[r] == c;
      return hit & (ts[r] >= lo) & (ts[r] < hi);
    });
  }

  // The aggregated field when the store holds it as doubles (revenue or a double column), else null.
  const double* DoubleField(const Node& n) const {
    if (n.str.empty() || n.field_type != ValueType::kNumber) return nullptr;
    if (n.str == "revenue") return d_.events->revenue.data();
    const Column* c = d_.events->Find(n.str);
    return c && c->type == ColumnType::kDouble ? c->f64.data() : nullptr;
  }

  // One event type, no where=: only that type's rows are read (from the type index), each added
  // to its profile's accumulator.
  absl::StatusOr<Vals> ReduceIndexed(const Node& n, size_t b, size_t e, int32_t code, Micros lo, Micros hi) {
    const size_t count = e - b;
    const EventColumns& ev = *d_.events;
    const int64_t* eb = d_.event_begin;
    const size_t rb = static_cast<size_t>(eb[b]), re = static_cast<size_t>(eb[e]);
    const uint32_t* first = nullptr;
    const uint32_t* last = nullptr;
    if (auto it = d_.type_index->range.find(code); it != d_.type_index->range.end()) {
      const uint32_t* all = d_.type_index->rows.data();
      first = std::lower_bound(all + it->second.first, all + it->second.second, static_cast<uint32_t>(rb));
      last = std::lower_bound(first, all + it->second.second, static_cast<uint32_t>(re));
    }
    const double* v = DoubleField(n);  // null when there is no field (the caller checks)
    const int32_t* prof = ev.profile.data();
    const Micros* ts = ev.ts.data();
    ScratchVec<double> acc(count, n.agg == Agg::kMin ? INFINITY : n.agg == Agg::kMax ? -INFINITY : 0.0);
    ScratchVec<int64_t> hits(count, 0), when(count, kNullInt64);
    for (const uint32_t* it = first; it != last; ++it) {
      const size_t r = *it;
      if (ts[r] < lo || ts[r] >= hi) continue;
      const size_t p = static_cast<size_t>(prof[r]) - b;
      if (v != nullptr) {
        const double x = v[r];
        if (x != x) continue;  // null value
        if (n.agg == Agg::kMin) acc[p] = std::min(acc[p], x);
        else if (n.agg == Agg::kMax) acc[p] = std::max(acc[p], x);
        else acc[p] += x;
      }
      ++hits[p];
      if (when[p] == kNullInt64 || n.agg != Agg::kFirstTime) when[p] = ts[r];  // rows ascend in time per profile
    }
    Vals out;
    out.type = n.type;
    switch (n.agg) {
      case Agg::kDid:
        out.b.resize(count);
        for (size_t p = 0; p < count; ++p) out.b[p] = hits[p] ? kT : kF;
        return out;
      case Agg::kFirstTime:
      case Agg::kLastTime:
        out.i64.assign(when.begin(), when.end());
        return out;
      case Agg::kRecency:
        out.num.resize(count);
        for (size_t p = 0; p < count; ++p)
          out.num[p] = when[p] == kNullInt64 ? NAN : static_cast<double>(d_.clock - when[p]) / kMicrosPerDayD;
        return out;
      default: break;
    }
    out.num.resize(count);
    for (size_t p = 0; p < count; ++p) {
      switch (n.agg) {
        case Agg::kCount: out.num[p] = static_cast<double>(hits[p]); break;
        case Agg::kSum: out.num[p] = acc[p]; break;
        case Agg::kAvg: out.num[p] = hits[p] ? acc[p] / static_cast<double>(hits[p]) : NAN; break;
        default: out.num[p] = hits[p] ? acc[p] : NAN; break;
      }
    }
    return out;
  }

  // Per-profile reduction of the rows for which keep(r) holds (r relative to the first row of
  // profile b).
  template <typename Keep>
  absl::StatusOr<Vals> Reduce(const Node& n, size_t b, size_t e, Keep keep) {
    const size_t count = e - b;
    const EventColumns& ev = *d_.events;
    const int64_t* eb = d_.event_begin;
    const size_t rb = static_cast<size_t>(eb[b]), re = static_cast<size_t>(eb[e]);
    // The field: read in place when the store holds it as doubles, else converted.
    Vals field;
    const double* in_place = nullptr;
    if (n.agg == Agg::kCountDistinct) {
      // keys come from the converted values
    } else if (n.str == "revenue") {
      in_place = ev.revenue.data() + rb;
    } else if (const Column* c = n.str.empty() ? nullptr : ev.Find(n.str);
               c && c->type == ColumnType::kDouble && n.field_type == ValueType::kNumber) {
      in_place = c->f64.data() + rb;
    }
    if (!n.str.empty() && in_place == nullptr) field = EventColumn(n.str, n.field_type, rb, re);
    if (in_place) field.type = ValueType::kNumber;
    Vals out;
    out.type = n.type;
    switch (n.agg) {
      case Agg::kDid: {
        out.b.assign(count, kF);
        for (size_t p = 0; p < count; ++p)
          for (int64_t r = eb[b + p]; r < eb[b + p + 1]; ++r)
            if (keep(static_cast<size_t>(r) - rb)) {
              out.b[p] = kT;
              break;
            }
        return out;
      }
      case Agg::kFirstTime:
      case Agg::kLastTime:
      case Agg::kRecency: {
        ScratchVec<int64_t> t(count, kNullInt64);
        const bool first = n.agg == Agg::kFirstTime;
        for (size_t p = 0; p < count; ++p)
          for (int64_t r = eb[b + p]; r < eb[b + p + 1]; ++r)
            if (keep(static_cast<size_t>(r) - rb)) {  // rows are in time order within a profile
              t[p] = ev.ts[static_cast<size_t>(r)];
              if (first) break;
            }
        if (n.agg != Agg::kRecency) {
          out.i64 = std::move(t);
          return out;
        }
        out.num.resize(count);
        for (size_t p = 0; p < count; ++p)
          out.num[p] = t[p] == kNullInt64 ? NAN : static_cast<double>(d_.clock - t[p]) / kMicrosPerDayD;
        return out;
      }
      case Agg::kCountDistinct: {
        out.num.assign(count, 0);
        std::vector<int64_t> keys;
        for (size_t p = 0; p < count; ++p) {
          keys.clear();
          for (int64_t r = eb[b + p]; r < eb[b + p + 1]; ++r) {
            const size_t k = static_cast<size_t>(r) - rb;
            if (!keep(k) || field.IsNull(k)) continue;
            switch (field.type) {
              case ValueType::kNumber: {
                const double v = field.num[k] == 0 ? 0.0 : field.num[k];
                keys.push_back(std::bit_cast<int64_t>(v));
                break;
              }
              case ValueType::kString: keys.push_back(field.str[k]); break;
              case ValueType::kBool: keys.push_back(field.b[k]); break;
              default: keys.push_back(field.i64[k]); break;
            }
          }
          std::sort(keys.begin(), keys.end());
          out.num[p] = static_cast<double>(std::unique(keys.begin(), keys.end()) - keys.begin());
        }
        return out;
      }
      default: break;
    }
    // count / sum / avg / min / max: one pass per profile over its rows.
    out.num.assign(count, 0);
    const bool numeric = !n.str.empty() && field.type == ValueType::kNumber;
    if (n.agg == Agg::kCount && n.str.empty()) {
      for (size_t p = 0; p < count; ++p) {
        int64_t hits = 0;
        for (int64_t r = eb[b + p] - static_cast<int64_t>(rb), end = eb[b + p + 1] - static_cast<int64_t>(rb); r < end; ++r)
          hits += keep(static_cast<size_t>(r));
        out.num[p] = static_cast<double>(hits);
      }
      return out;
    }
    if (!numeric) {  // count of non-null values of a non-numeric field
      for (size_t p = 0; p < count; ++p) {
        int64_t hits = 0;
        for (int64_t r = eb[b + p]; r < eb[b + p + 1]; ++r) {
          const size_t k = static_cast<size_t>(r) - rb;
          hits += keep(k) && !field.IsNull(k);
        }
        out.num[p] = static_cast<double>(hits);
      }
      return out;
    }
    const double* v = in_place ? in_place : field.num.data();
    for (size_t p = 0; p < count; ++p) {
      double acc = n.agg == Agg::kMin ? INFINITY : n.agg == Agg::kMax ? -INFINITY : 0;
      int64_t hits = 0;
      const size_t r0 = static_cast<size_t>(eb[b + p]) - rb, r1 = static_cast<size_t>(eb[b + p + 1]) - rb;
      switch (n.agg) {
        case Agg::kMin:
          for (size_t k = r0; k < r1; ++k)
            if (keep(k) && v[k] == v[k]) acc = std::min(acc, v[k]), ++hits;
          break;
        case Agg::kMax:
          for (size_t k = r0; k < r1; ++k)
            if (keep(k) && v[k] == v[k]) acc = std::max(acc, v[k]), ++hits;
          break;
        default:  // count / sum / avg: NaN (null) values are skipped
          for (size_t k = r0; k < r1; ++k) {
            const bool use = keep(k) && v[k] == v[k];
            acc += use ? v[k] : 0.0;
            hits += use;
          }
          break;
      }
      switch (n.agg) {
        case Agg::kCount: out.num[p] = static_cast<double>(hits); break;
        case Agg::kSum: out.num[p] = acc; break;  // 0 when nothing matches
        case Agg::kAvg: out.num[p] = hits ? acc / static_cast<double>(hits) : NAN; break;
        default: out.num[p] = hits ? acc : NAN; break;
      }
    }
    return out;
  }

  // Did the steps happen in order, each strictly later than the previous one, the last within
  // `within` of the first? Per profile, best[k] is the latest start time of a chain that has
  // reached step k (the latest start leaves the most room for the window). Events of equal time
  // are applied together, so a step never follows another at the same instant.
  Vals Sequence(const Node& n, const std::vector<int32_t>& codes, const ScratchVec<uint8_t>& keep, size_t b, size_t e) {
    const size_t count = e - b;
    const EventColumns& ev = *d_.events;
    const int64_t* eb = d_.event_begin;
    const size_t rb = static_cast<size_t>(eb[b]);
    const size_t steps = codes.size();
    Vals out = Bools(count);
    std::vector<int64_t> best(steps), pending(steps);
    for (size_t p = 0; p < count; ++p) {
      std::fill(best.begin(), best.end(), kNullInt64);
      bool done = false;
      int64_t r = eb[b + p];
      const int64_t end = eb[b + p + 1];
      while (r < end && !done) {
        const Micros t = ev.ts[static_cast<size_t>(r)];
        pending = best;
        for (; r < end && ev.ts[static_cast<size_t>(r)] == t; ++r) {
          if (!keep[static_cast<size_t>(r) - rb]) continue;
          const int32_t type = ev.type[static_cast<size_t>(r)];
          for (size_t k = 0; k < steps; ++k) {
            if (type != codes[k]) continue;
            int64_t start = kNullInt64;
            if (k == 0) start = t;
            else if (best[k - 1] != kNullInt64 && (n.within <= 0 || t - best[k - 1] <= n.within)) start = best[k - 1];
            if (start != kNullInt64 && (pending[k] == kNullInt64 || start > pending[k])) pending[k] = start;
          }
        }
        best = pending;
        done = best[steps - 1] != kNullInt64;
      }
      out.b[p] = done ? kT : kF;
    }
    return out;
  }

  const QueryData& d_;
  std::deque<StringDictionary> scratch_;  // strings made by lower()/upper()/coalesce()
};

// out[i] = 1 where `root` is true over rows [b, e) (profiles or events).
absl::Status Truth(const Node& root, const QueryData& data, size_t b, size_t e, std::vector<uint8_t>* out) {
  Evaluator ev(data);
  auto v = ev.Eval(root, b, e);
  if (!v.ok()) return v.status();
  out->resize(e - b);
  for (size_t i = 0; i < e - b; ++i) (*out)[i] = v->b[v->At(i)] == kT;
  return absl::OkStatus();
}

}  // namespace

absl::Status Query::Evaluate(const QueryData& data, int32_t begin, int32_t end, std::vector<uint8_t>* out) const {
  if (!root_) return absl::FailedPreconditionError("the query is not compiled");
  if (event_scope_) return absl::FailedPreconditionError("an event condition evaluates on events (EvaluateEvents)");
  if (begin < 0 || end < begin || end > data.profiles)
    return absl::InvalidArgumentError(Cat("profile range [", begin, ", ", end, ") is outside 0..", data.profiles));
  if (data.events == nullptr || data.event_begin == nullptr || data.event_dict == nullptr)
    return absl::InvalidArgumentError("query data has no events");
  for (const std::string& c : columns_)
    if (data.profile_columns == nullptr || data.profile_columns->Find(c) == nullptr)
      return absl::InvalidArgumentError(Cat("query data lacks the profile column '", c, "'"));
  return Truth(*root_, data, static_cast<size_t>(begin), static_cast<size_t>(end), out);
}

absl::Status Query::EvaluateEvents(const QueryData& data, int64_t begin, int64_t end, std::vector<uint8_t>* out) const {
  if (!root_) return absl::FailedPreconditionError("the query is not compiled");
  if (!event_scope_) return absl::FailedPreconditionError("a profile expression evaluates on profiles (Evaluate)");
  if (data.events == nullptr || data.event_dict == nullptr) return absl::InvalidArgumentError("query data has no events");
  if (begin < 0 || end < begin || static_cast<size_t>(end) > data.events->size())
    return absl::InvalidArgumentError(Cat("event range [", begin, ", ", end, ") is outside 0..", data.events->size()));
  return Truth(*root_, data, static_cast<size_t>(begin), static_cast<size_t>(end), out);
}

EventTypeIndex EventTypeIndex::Build(const Vec<int32_t>& types) {
  EventTypeIndex x;
  absl::flat_hash_map<int32_t, uint32_t> counts;
  for (int32_t t : types) ++counts[t];
  uint32_t at = 0;
  for (auto& [code, c] : counts) {
    x.range[code] = {at, at};
    at += c;
  }
  x.rows.resize(types.size());
  for (size_t r = 0; r < types.size(); ++r) {
    auto& range = x.range[types[r]];
    x.rows[range.second++] = static_cast<uint32_t>(r);
  }
  return x;
}

}  // namespace cdp
