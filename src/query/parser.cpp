// Lexer, parser and type checker of the expression language. One pass: the parser resolves names
// against the schema and types each node as it builds it, so every error points at its token.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/cord.h"
#include "core/strings.hpp"
#include "query/ast.hpp"

namespace cdp {

using query_internal::Agg;
using query_internal::Arith;
using query_internal::Cmp;
using query_internal::Fn;
using query_internal::Kind;
using query_internal::Node;

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kBool: return "boolean";
    case ValueType::kNumber: return "number";
    case ValueType::kString: return "string";
    case ValueType::kTime: return "timestamp";
    case ValueType::kDuration: return "duration";
    case ValueType::kNull: return "null";
  }
  return "?";
}

namespace {

// A likely typo: at most a third of the name's letters differ (at least one edit).
std::string Nearest(std::string_view name, const std::vector<std::string>& candidates) {
  return NearestName(name, candidates, std::max<int>(1, static_cast<int>(name.size()) / 3));
}


enum class Tok { kIdent, kString, kNumber, kDuration, kOp, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier (unquoted), string value, operator, number text
  int pos = 0;
  double num = 0;
  Micros dur = 0;
  bool quoted = false;  // `quoted identifier`
};

constexpr std::string_view kKeywords[] = {"and", "or", "not", "in", "between", "is", "null", "true", "false"};

struct FnInfo {
  std::string_view name;
  Fn fn;
};
constexpr FnInfo kFunctions[] = {
    {"lower", Fn::kLower},       {"upper", Fn::kUpper},           {"length", Fn::kLength},
    {"contains", Fn::kContains}, {"starts_with", Fn::kStartsWith}, {"ends_with", Fn::kEndsWith},
    {"has", Fn::kHas},           {"abs", Fn::kAbs},               {"round", Fn::kRound},
    {"log", Fn::kLog},           {"coalesce", Fn::kCoalesce},     {"days_since", Fn::kDaysSince},
    {"days", Fn::kDays},         {"now", Fn::kNow},               {"date", Fn::kDate},
    {"distance_km", Fn::kDistanceKm}};
struct AggInfo {
  std::string_view name;
  Agg agg;
};
constexpr AggInfo kAggregates[] = {
    {"count", Agg::kCount},         {"did", Agg::kDid},           {"sum", Agg::kSum},
    {"avg", Agg::kAvg},             {"min", Agg::kMin},           {"max", Agg::kMax},
    {"count_distinct", Agg::kCountDistinct}, {"first_time", Agg::kFirstTime},
    {"last_time", Agg::kLastTime},  {"recency", Agg::kRecency},   {"sequence", Agg::kSequence}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const QuerySchema& schema, bool event_scope = false)
      : text_(text), schema_(schema), in_where_(event_scope) {
    for (const auto& f : schema.profile_fields) profile_names_.push_back(f.name);
    for (const auto& f : schema.event_fields) event_names_.push_back(f.name);
    for (const auto& t : schema.event_types) types_.insert(t);
  }

  absl::StatusOr<std::unique_ptr<Node>> Run() {
    if (auto st = Lex(); !st.ok()) return st;
    auto root = ParseOr();
    if (!root.ok()) return root.status();
    if (Peek().kind != Tok::kEnd) {
      if (Peek().kind == Tok::kOp && Peek().text == ")") return Error(Peek().pos, "unbalanced ')': no '(' before it");
      return Error(Peek().pos, Cat("expected 'and', 'or' or the end of the expression, found ", Describe(Peek())));
    }
    if ((*root)->type != ValueType::kBool)
      return Error((*root)->pos, Cat("the expression must be a condition (boolean), but it is a ",
                                     ValueTypeName((*root)->type), "; compare it, e.g. '... > 0'"));
    return root;
  }

  std::vector<std::string> columns, event_types, warnings;
  std::vector<Micros> windows;
  bool uses_clock = false;

 private:
  // --- errors ---------------------------------------------------------------------------------
  absl::Status Error(int pos, std::string_view message) const {
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < static_cast<size_t>(pos) && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line, line_start = i + 1;
    size_t line_end = text_.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text_.size();
    int column = 1;  // in characters (UTF-8 continuation bytes do not count)
    for (size_t i = line_start; i < static_cast<size_t>(pos) && i < text_.size(); ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    std::string caret(static_cast<size_t>(column - 1), ' ');
    for (size_t i = line_start, k = 0; i < static_cast<size_t>(pos) && i < line_end; ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        if (text_[i] == '\t') caret[k] = '\t';
        ++k;
      }
    absl::Status st = absl::InvalidArgumentError(Cat("line ", line, ", column ", column, ": ", message, "\n  ",
                                                     text_.substr(line_start, line_end - line_start), "\n  ", caret, "^"));
    st.SetPayload(kQueryParsePayload, absl::Cord("1"));
    return st;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return "end of input";
      case Tok::kString: return Cat("the string '", t.text, "'");
      case Tok::kNumber: return Cat("the number ", t.text);
      case Tok::kDuration: return Cat("the duration ", t.text);
      case Tok::kOp: return Cat("'", t.text, "'");
      case Tok::kIdent: return t.quoted ? Cat("`", t.text, "`") : Cat("'", t.text, "'");
    }
    return "?";
  }

  // --- lexer ----------------------------------------------------------------------------------
  absl::Status Lex() {
    size_t i = 0;
    const size_t n = text_.size();
    while (true) {
      while (i < n && (IsAsciiSpace(text_[i]))) ++i;
      Token t;
      t.pos = static_cast<int>(i);
      if (i >= n) {
        tokens_.push_back(t);
        return absl::OkStatus();
      }
      const char c = text_[i];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < n) {
          const char d = text_[j];
          if (std::isalnum(static_cast<unsigned char>(d)) || d == '_') ++j;
          else if (d == '.' && j + 1 < n && (std::isalnum(static_cast<unsigned char>(text_[j + 1])) || text_[j + 1] == '_')) ++j;
          else break;
        }
        t.kind = Tok::kIdent, t.text = std::string(text_.substr(i, j - i)), i = j;
      } else if (c == '`') {
        const size_t close = text_.find('`', i + 1);
        if (close == std::string_view::npos) return Error(t.pos, "unterminated quoted name: expected a closing '`'");
        if (close == i + 1) return Error(t.pos, "empty quoted name ``");
        t.kind = Tok::kIdent, t.quoted = true, t.text = std::string(text_.substr(i + 1, close - i - 1)), i = close + 1;
      } else if (c == '\'' || c == '"') {
        std::string value;
        size_t j = i + 1;
        bool closed = false;
        while (j < n) {
          if (text_[j] == c) {
            if (j + 1 < n && text_[j + 1] == c) {  // doubled quote = one quote
              value.push_back(c), j += 2;
              continue;
            }
            closed = true;
            ++j;
            break;
          }
          value.push_back(text_[j++]);
        }
        if (!closed) return Error(t.pos, Cat("unterminated string: expected a closing ", c));
        t.kind = Tok::kString, t.text = std::move(value), i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t j = i;
        while (j < n && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        if (j < n && text_[j] == '.') {
          ++j;
          while (j < n && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        }
        if (j < n && (text_[j] == 'e' || text_[j] == 'E')) {
          size_t k = j + 1;
          if (k < n && (text_[k] == '+' || text_[k] == '-')) ++k;
          if (k < n && std::isdigit(static_cast<unsigned char>(text_[k]))) {
            j = k;
            while (j < n && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
          }
        }
        size_t u = j;
        while (u < n && std::isalpha(static_cast<unsigned char>(text_[u]))) ++u;
        if (u > j) {  // a unit: a duration such as 30d
          auto d = ParseDuration(text_.substr(i, u - i));
          if (!d.ok())
            return Error(t.pos, Cat("bad duration '", text_.substr(i, u - i),
                                    "': expected a whole number and a unit (us, ms, s, m/min, h, d, w), e.g. 30d"));
          t.kind = Tok::kDuration, t.dur = *d, t.text = std::string(text_.substr(i, u - i)), i = u;
        } else {
          t.kind = Tok::kNumber, t.text = std::string(text_.substr(i, j - i));
          t.num = std::strtod(t.text.c_str(), nullptr);
          i = j;
        }
      } else {
        static constexpr std::string_view kTwo[] = {"<=", ">=", "!=", "<>", "=="};
        std::string_view two = text_.substr(i, 2);
        if (std::find(std::begin(kTwo), std::end(kTwo), two) != std::end(kTwo)) {
          t.kind = Tok::kOp, t.text = std::string(two), i += 2;
        } else if (std::string_view("()<>=+-*/,").find(c) != std::string_view::npos) {
          t.kind = Tok::kOp, t.text = std::string(1, c), ++i;
        } else if (c == '&' || c == '|' || c == '!') {
          return Error(t.pos, Cat("unexpected '", c, "': use 'and', 'or', 'not'"));
        } else {
          return Error(t.pos, Cat("unexpected character '", text_.substr(i, 1), "'"));
        }
      }
      tokens_.push_back(std::move(t));
    }
  }

  // --- token helpers ---------------------------------------------------------------------------
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(at_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() { return tokens_[std::min(at_++, tokens_.size() - 1)]; }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Tok::kIdent && !t.quoted && EqualsIgnoreCase(t.text, kw);
  }
  bool IsOp(const Token& t, std::string_view op) const { return t.kind == Tok::kOp && t.text == op; }
  static bool IsReserved(const Token& t) {
    if (t.kind != Tok::kIdent || t.quoted) return false;
    for (std::string_view k : kKeywords)
      if (EqualsIgnoreCase(t.text, k)) return true;
    return false;
  }
  absl::Status Expect(std::string_view op, std::string_view context) {
    if (IsOp(Peek(), op)) {
      ++at_;
      return absl::OkStatus();
    }
    return Error(Peek().pos, Cat("expected '", op, "' ", context, ", found ", Describe(Peek())));
  }

  static std::unique_ptr<Node> Make(Kind kind, ValueType type, int pos) {
    auto n = std::make_unique<Node>();
    n->kind = kind, n->type = type, n->pos = pos;
    return n;
  }

  using NodeOr = absl::StatusOr<std::unique_ptr<Node>>;

  // --- grammar ---------------------------------------------------------------------------------
  // A left-associative chain: operand (op operand)*, where `is_op` spots an operator token and
  // `combine` builds (and type-checks) the node for it.
  template <typename IsOp, typename Combine>
  NodeOr Chain(NodeOr (Parser::*operand)(), IsOp is_op, Combine combine) {
    auto left = (this->*operand)();
    if (!left.ok()) return left;
    while (is_op(Peek())) {
      const Token& op = Next();
      auto right = (this->*operand)();
      if (!right.ok()) return right;
      auto n = combine(op, std::move(*left), std::move(*right));
      if (!n.ok()) return n;
      left = std::move(n);
    }
    return left;
  }
  NodeOr ParseOr() {
    return Chain(&Parser::ParseAnd, [this](const Token& t) { return IsKeyword(t, "or"); },
                 [this](const Token& op, auto a, auto b) { return Logical(Kind::kOr, op, std::move(a), std::move(b)); });
  }
  NodeOr ParseAnd() {
    return Chain(&Parser::ParseNot, [this](const Token& t) { return IsKeyword(t, "and"); },
                 [this](const Token& op, auto a, auto b) { return Logical(Kind::kAnd, op, std::move(a), std::move(b)); });
  }
  NodeOr Logical(Kind kind, const Token& op, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    for (Node* x : {a.get(), b.get()})
      if (x->type != ValueType::kBool)
        return Error(x->pos, Cat("'", Lower(op.text), "' needs conditions on both sides, but this is a ",
                                 ValueTypeName(x->type)));
    auto n = Make(kind, ValueType::kBool, a->pos);
    n->args.push_back(std::move(a)), n->args.push_back(std::move(b));
    return n;
  }
  NodeOr ParseNot() {
    if (IsKeyword(Peek(), "not")) {
      const Token& op = Next();
      auto inner = ParseNot();
      if (!inner.ok()) return inner;
      if ((*inner)->type != ValueType::kBool)
        return Error((*inner)->pos, Cat("'not' needs a condition, but this is a ", ValueTypeName((*inner)->type)));
      auto n = Make(Kind::kNot, ValueType::kBool, op.pos);
      n->args.push_back(std::move(*inner));
      return n;
    }
    return ParsePredicate();
  }

  static bool CmpOp(const Token& t, Cmp* cmp) {
    if (t.kind != Tok::kOp) return false;
    if (t.text == "=" || t.text == "==") *cmp = Cmp::kEq;
    else if (t.text == "!=" || t.text == "<>") *cmp = Cmp::kNe;
    else if (t.text == "<") *cmp = Cmp::kLt;
    else if (t.text == "<=") *cmp = Cmp::kLe;
    else if (t.text == ">") *cmp = Cmp::kGt;
    else if (t.text == ">=") *cmp = Cmp::kGe;
    else return false;
    return true;
  }

  // Makes `value` comparable with `want`: a string literal read as a timestamp for a time operand.
  absl::Status Coerce(Node* value, ValueType want) {
    if (want == ValueType::kTime && value->kind == Kind::kLiteral && value->type == ValueType::kString) {
      auto parser = TimeParser::Create();
      auto ts = parser->Parse(value->str);
      if (!ts.ok()) return Error(value->pos, Cat("expected a timestamp such as '2024-03-01', found '", value->str, "'"));
      value->type = ValueType::kTime, value->i64 = *ts;
    }
    return absl::OkStatus();
  }

  absl::Status Comparable(Node* a, Node* b, const Token& op) {
    if (a->type == ValueType::kNull || b->type == ValueType::kNull)
      return Error(op.pos, "a comparison with null is never true: use 'is null' or 'is not null'");
    if (auto st = Coerce(b, a->type); !st.ok()) return st;
    if (auto st = Coerce(a, b->type); !st.ok()) return st;
    if (a->type != b->type) {
      std::string hint;
      if ((a->type == ValueType::kTime && b->type == ValueType::kNumber) ||
          (a->type == ValueType::kNumber && b->type == ValueType::kTime))
        hint = "; for a number of days use days_since(...)";
      else if ((a->type == ValueType::kDuration) != (b->type == ValueType::kDuration))
        hint = "; write durations with a unit, e.g. 30d";
      return Error(op.pos, Cat("cannot compare a ", ValueTypeName(a->type), " with a ", ValueTypeName(b->type), hint));
    }
    return absl::OkStatus();
  }

  NodeOr ParsePredicate() {
    auto left = ParseAdditive();
    if (!left.ok()) return left;
    Cmp cmp;
    const Token& t = Peek();
    if (CmpOp(t, &cmp)) {
      const Token& op = Next();
      auto right = ParseAdditive();
      if (!right.ok()) return right;
      if (auto st = Comparable(left->get(), right->get(), op); !st.ok()) return st;
      if ((cmp != Cmp::kEq && cmp != Cmp::kNe) && (*left)->type == ValueType::kBool)
        return Error(op.pos, "booleans can only be compared with = or !=");
      auto n = Make(Kind::kCompare, ValueType::kBool, (*left)->pos);
      n->cmp = cmp;
      n->args.push_back(std::move(*left)), n->args.push_back(std::move(*right));
      if (Cmp c2; CmpOp(Peek(), &c2))
        return Error(Peek().pos, "comparisons cannot be chained: write 'a < b and b < c'");
      return n;
    }
    bool negate = false;
    if (IsKeyword(t, "not") && (IsKeyword(Peek(1), "in") || IsKeyword(Peek(1), "between"))) negate = true, ++at_;
    if (IsKeyword(Peek(), "in")) {
      const Token& op = Next();
      if (auto st = Expect("(", "after 'in' (a list such as ('IT', 'FR'))"); !st.ok()) return st;
      auto n = Make(Kind::kIn, ValueType::kBool, (*left)->pos);
      n->negate = negate;
      const ValueType lt = (*left)->type;
      if (lt == ValueType::kBool || lt == ValueType::kNull)
        return Error(op.pos, Cat("'in' needs a number, string or timestamp on its left, found a ", ValueTypeName(lt)));
      n->args.push_back(std::move(*left));
      while (true) {
        auto item = ParseUnary();
        if (!item.ok()) return item;
        Node* x = item->get();
        if (x->kind != Kind::kLiteral || x->type == ValueType::kNull)
          return Error(x->pos, "'in' lists hold literal values such as 'IT' or 3");
        if (auto st = Coerce(x, lt); !st.ok()) return st;
        if (x->type != lt)
          return Error(x->pos, Cat("this list item is a ", ValueTypeName(x->type), " but the value tested is a ",
                                   ValueTypeName(lt)));
        n->args.push_back(std::move(*item));
        if (IsOp(Peek(), ",")) {
          ++at_;
          continue;
        }
        if (auto st = Expect(")", "or ',' in the 'in' list"); !st.ok()) return st;
        break;
      }
      return n;
    }
    if (IsKeyword(Peek(), "between")) {
      const Token& op = Next();
      auto lo = ParseAdditive();
      if (!lo.ok()) return lo;
      if (!IsKeyword(Peek(), "and"))
        return Error(Peek().pos, Cat("expected 'and' in 'between ... and ...', found ", Describe(Peek())));
      ++at_;
      auto hi = ParseAdditive();
      if (!hi.ok()) return hi;
      if (auto st = Comparable(left->get(), lo->get(), op); !st.ok()) return st;
      if (auto st = Comparable(left->get(), hi->get(), op); !st.ok()) return st;
      if ((*left)->type == ValueType::kBool) return Error(op.pos, "'between' needs numbers, strings or timestamps");
      auto n = Make(Kind::kBetween, ValueType::kBool, (*left)->pos);
      n->negate = negate;
      n->args.push_back(std::move(*left)), n->args.push_back(std::move(*lo)), n->args.push_back(std::move(*hi));
      return n;
    }
    if (negate) return Error(Peek().pos, "expected 'in' or 'between' after 'not'");
    if (IsKeyword(Peek(), "is")) {
      ++at_;
      bool is_not = false;
      if (IsKeyword(Peek(), "not")) is_not = true, ++at_;
      if (!IsKeyword(Peek(), "null"))
        return Error(Peek().pos, Cat("expected 'null' after 'is", is_not ? " not" : "", "', found ", Describe(Peek())));
      ++at_;
      auto n = Make(Kind::kIsNull, ValueType::kBool, (*left)->pos);
      n->negate = is_not;
      n->args.push_back(std::move(*left));
      return n;
    }
    return left;
  }

  NodeOr ParseAdditive() {
    return Chain(&Parser::ParseMultiplicative, [this](const Token& t) { return IsOp(t, "+") || IsOp(t, "-"); },
                 [this](const Token& op, auto a, auto b) { return Arithmetic(op, std::move(a), std::move(b)); });
  }
  NodeOr ParseMultiplicative() {
    return Chain(&Parser::ParseUnary, [this](const Token& t) { return IsOp(t, "*") || IsOp(t, "/"); },
                 [this](const Token& op, auto a, auto b) { return Arithmetic(op, std::move(a), std::move(b)); });
  }
  NodeOr Arithmetic(const Token& op, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    Arith ar = op.text == "+" ? Arith::kAdd : op.text == "-" ? Arith::kSub : op.text == "*" ? Arith::kMul : Arith::kDiv;
    (void)Coerce(b.get(), a->type);  // first_seen - '2023-12-01': a string on the right of a timestamp
    const ValueType x = a->type, y = b->type;
    using V = ValueType;
    V out = V::kNull;
    if (x == V::kNumber && y == V::kNumber) out = V::kNumber;
    else if (ar == Arith::kSub && x == V::kTime && y == V::kTime) out = V::kDuration;
    else if ((ar == Arith::kAdd || ar == Arith::kSub) && x == V::kTime && y == V::kDuration) out = V::kTime;
    else if (ar == Arith::kAdd && x == V::kDuration && y == V::kTime) out = V::kTime;
    else if ((ar == Arith::kAdd || ar == Arith::kSub) && x == V::kDuration && y == V::kDuration) out = V::kDuration;
    else if (ar == Arith::kMul && ((x == V::kDuration && y == V::kNumber) || (x == V::kNumber && y == V::kDuration)))
      out = V::kDuration;
    else if (ar == Arith::kDiv && x == V::kDuration && y == V::kNumber) out = V::kDuration;
    else if (ar == Arith::kDiv && x == V::kDuration && y == V::kDuration) out = V::kNumber;
    if (out == V::kNull)
      return Error(op.pos, Cat("cannot apply '", op.text, "' to a ", ValueTypeName(x), " and a ", ValueTypeName(y)));
    auto n = Make(Kind::kArith, out, a->pos);
    n->arith = ar;
    n->args.push_back(std::move(a)), n->args.push_back(std::move(b));
    return n;
  }
  NodeOr ParseUnary() {
    if (IsOp(Peek(), "-")) {
      const Token& op = Next();
      auto inner = ParseUnary();
      if (!inner.ok()) return inner;
      Node* x = inner->get();
      if (x->type != ValueType::kNumber && x->type != ValueType::kDuration)
        return Error(op.pos, Cat("cannot negate a ", ValueTypeName(x->type)));
      if (x->kind == Kind::kLiteral) {
        x->num = -x->num, x->i64 = -x->i64, x->pos = op.pos;
        return inner;
      }
      auto n = Make(Kind::kNeg, x->type, op.pos);
      n->args.push_back(std::move(*inner));
      return n;
    }
    return ParsePrimary();
  }

  NodeOr ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kEnd: return Error(t.pos, Cat("expected a value", AfterWhat(), ", found end of input"));
      case Tok::kNumber: {
        ++at_;
        auto n = Make(Kind::kLiteral, ValueType::kNumber, t.pos);
        n->num = t.num;
        return n;
      }
      case Tok::kDuration: {
        ++at_;
        auto n = Make(Kind::kLiteral, ValueType::kDuration, t.pos);
        n->i64 = t.dur;
        return n;
      }
      case Tok::kString: {
        ++at_;
        auto n = Make(Kind::kLiteral, ValueType::kString, t.pos);
        n->str = t.text;
        return n;
      }
      case Tok::kOp:
        if (t.text == "(") {
          ++at_;
          auto inner = ParseOr();
          if (!inner.ok()) return inner;
          if (auto st = Expect(")", "to close the '('"); !st.ok()) return st;
          return inner;
        }
        return Error(t.pos, Cat("expected a value", AfterWhat(), ", found ", Describe(t)));
      case Tok::kIdent: break;
    }
    if (!t.quoted) {
      if (IsKeyword(t, "true") || IsKeyword(t, "false")) {
        ++at_;
        auto n = Make(Kind::kLiteral, ValueType::kBool, t.pos);
        n->i64 = IsKeyword(t, "true");
        return n;
      }
      if (IsKeyword(t, "null")) {
        ++at_;
        return Make(Kind::kLiteral, ValueType::kNull, t.pos);
      }
      if (IsReserved(t)) return Error(t.pos, Cat("expected a value", AfterWhat(), ", found the keyword '", Lower(t.text), "'"));
      if (IsOp(Peek(1), "(")) return ParseCall();
    }
    ++at_;
    return ColumnRef(t);
  }

  std::string AfterWhat() const {
    if (at_ == 0) return "";
    const Token& prev = tokens_[at_ - 1];
    return Cat(" after ", Describe(prev));
  }

  NodeOr ColumnRef(const Token& t) {
    if (in_where_) {
      for (const auto& f : schema_.event_fields)
        if (f.name == t.text) {
          auto n = Make(Kind::kEventColumn, f.type, t.pos);
          n->str = f.name;
          return n;
        }
      std::string near = Nearest(t.text, event_names_);
      return Error(t.pos, Cat("unknown event field '", t.text, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?"),
                              near.empty() ? Cat(" (event fields: ", Join(event_names_, ", "), ")") : ""));
    }
    for (const auto& f : schema_.profile_fields)
      if (f.name == t.text) {
        auto n = Make(Kind::kColumn, f.type, t.pos);
        n->str = f.name;
        if (std::find(columns.begin(), columns.end(), f.name) == columns.end()) columns.push_back(f.name);
        return n;
      }
    std::string near = Nearest(t.text, profile_names_);
    std::string hint;
    if (!near.empty()) hint = Cat("; did you mean '", near, "'?");
    else if (types_.contains(t.text)) hint = Cat("; '", t.text, "' is an event type: use did(", t.text, ") or count(", t.text, ")");
    else if (std::find(event_names_.begin(), event_names_.end(), t.text) != event_names_.end())
      hint = Cat("; '", t.text, "' is an event field: aggregate it, e.g. sum(", t.text, ") or max(", t.text, ")");
    return Error(t.pos, Cat("unknown attribute '", t.text, "'", hint));
  }

  // --- calls -----------------------------------------------------------------------------------
  NodeOr ParseCall() {
    const Token& name = Next();
    const std::string lname = Lower(name.text);
    ++at_;  // '('
    for (const AggInfo& a : kAggregates)
      if (a.name == lname) return ParseAggregate(name, a.agg);
    for (const FnInfo& f : kFunctions)
      if (f.name == lname) return ParseFunction(name, f.fn);
    std::vector<std::string> all;
    for (const AggInfo& a : kAggregates) all.emplace_back(a.name);
    for (const FnInfo& f : kFunctions) all.emplace_back(f.name);
    std::string near = Nearest(lname, all);
    return Error(name.pos, Cat("unknown function '", name.text, "'",
                               near.empty() ? Cat(" (functions: ", Join(all, ", "), ")") : Cat("; did you mean '", near, "'?")));
  }

  NodeOr ParseFunction(const Token& name, Fn fn) {
    auto n = Make(Kind::kCall, ValueType::kNull, name.pos);
    n->fn = fn;
    if (!IsOp(Peek(), ")")) {
      while (true) {
        auto arg = ParseOr();
        if (!arg.ok()) return arg;
        n->args.push_back(std::move(*arg));
        if (IsOp(Peek(), ",")) {
          ++at_;
          continue;
        }
        break;
      }
    }
    if (auto st = Expect(")", Cat("to close ", name.text, "(")); !st.ok()) return st;
    using V = ValueType;
    auto want = [&](std::initializer_list<V> types, V out) -> absl::Status {
      if (n->args.size() != types.size())
        return Error(name.pos, Cat(name.text, "() takes ", types.size(), " argument", types.size() == 1 ? "" : "s", ", found ",
                                   n->args.size()));
      size_t i = 0;
      for (V v : types) {
        Node* a = n->args[i++].get();
        if (auto st = Coerce(a, v); !st.ok()) return st;
        if (a->type != v)
          return Error(a->pos, Cat("argument ", i, " of ", name.text, "() must be a ", ValueTypeName(v), ", found a ",
                                   ValueTypeName(a->type)));
      }
      n->type = out;
      return absl::OkStatus();
    };
    absl::Status st;
    switch (fn) {
      case Fn::kLower:
      case Fn::kUpper: st = want({V::kString}, V::kString); break;
      case Fn::kLength: st = want({V::kString}, V::kNumber); break;
      case Fn::kContains:
      case Fn::kStartsWith:
      case Fn::kEndsWith:
      case Fn::kHas:
        st = want({V::kString, V::kString}, V::kBool);
        if (st.ok() && n->args[1]->kind != Kind::kLiteral)
          st = Error(n->args[1]->pos, Cat("argument 2 of ", name.text, "() must be a literal string such as 'travel'"));
        break;
      case Fn::kAbs:
      case Fn::kLog: st = want({V::kNumber}, V::kNumber); break;
      case Fn::kRound:
        if (n->args.size() == 1) st = want({V::kNumber}, V::kNumber);
        else {
          st = want({V::kNumber, V::kNumber}, V::kNumber);
          if (st.ok() && n->args[1]->kind != Kind::kLiteral)
            st = Error(n->args[1]->pos, "argument 2 of round() (digits) must be a literal number");
        }
        break;
      case Fn::kDaysSince: st = want({V::kTime}, V::kNumber), uses_clock = true; break;
      case Fn::kDays: st = want({V::kDuration}, V::kNumber); break;
      case Fn::kNow: st = want({}, V::kTime), uses_clock = true; break;
      case Fn::kDate:
        st = want({V::kString}, V::kString);
        if (st.ok()) {
          if (n->args[0]->kind != Kind::kLiteral) return Error(n->args[0]->pos, "date() takes a literal such as '2024-03-01'");
          if (auto s2 = Coerce(n->args[0].get(), V::kTime); !s2.ok()) return s2;
          n->args[0]->pos = n->pos;
          return std::move(n->args[0]);  // a constant timestamp
        }
        break;
      case Fn::kDistanceKm: st = want({V::kNumber, V::kNumber, V::kNumber, V::kNumber}, V::kNumber); break;
      case Fn::kCoalesce: {
        if (n->args.size() < 2) return Error(name.pos, "coalesce() takes at least 2 arguments");
        V t = V::kNull;
        for (auto& a : n->args)
          if (a->type != V::kNull) t = t == V::kNull ? a->type : t;
        for (auto& a : n->args) {
          if (auto s2 = Coerce(a.get(), t); !s2.ok()) return s2;
          if (a->type != t && a->type != V::kNull)
            return Error(a->pos, Cat("coalesce() arguments must have one type: this is a ", ValueTypeName(a->type),
                                     ", the first is a ", ValueTypeName(t)));
        }
        n->type = t;
        break;
      }
    }
    if (!st.ok()) return st;
    return n;
  }

  static bool NeedsField(Agg a) {
    return a == Agg::kSum || a == Agg::kAvg || a == Agg::kMin || a == Agg::kMax || a == Agg::kCountDistinct;
  }

  const QuerySchema::Field* EventField(std::string_view name) const {
    for (const auto& f : schema_.event_fields)
      if (f.name == name) return &f;
    return nullptr;
  }

  void NoteType(const std::string& type, int pos) {
    if (std::find(event_types.begin(), event_types.end(), type) == event_types.end()) event_types.push_back(type);
    if (type == "*" || types_.contains(type)) return;
    std::vector<std::string> known(schema_.event_types);
    std::string near = Nearest(type, known);
    (void)pos;
    warnings.push_back(Cat("no event has type '", type, "' yet", near.empty() ? "" : Cat(" (did you mean '", near, "'?)")));
  }

  // Resolves a dotted selector: "purchase", "purchase.revenue", "revenue" (any type).
  absl::Status Selector(const Token& t, Agg agg, Node* n) {
    const bool field = NeedsField(agg);
    if (t.kind == Tok::kString || t.quoted) {  // a type name as written; a field comes with field=
      n->types.push_back(t.text);
      return absl::OkStatus();
    }
    const std::string& path = t.text;
    if (field || agg == Agg::kCount) {
      if (field && EventField(path)) {
        n->str = path;  // any event type
        return absl::OkStatus();
      }
      // type.field: a known event type prefix wins (types may hold dots), then the first segment.
      if (types_.contains(path)) {
        n->types.push_back(path);
        return absl::OkStatus();
      }
      for (size_t dot = path.rfind('.'); dot != std::string::npos && dot > 0; dot = path.rfind('.', dot - 1)) {
        std::string type = path.substr(0, dot), f = path.substr(dot + 1);
        if (EventField(f) && types_.contains(type)) {
          n->types.push_back(type), n->str = f;
          return absl::OkStatus();
        }
        if (dot == 0) break;
      }
      const size_t dot = path.find('.');
      if (dot != std::string::npos && EventField(path.substr(dot + 1))) {  // a type no event has yet
        n->types.push_back(path.substr(0, dot)), n->str = path.substr(dot + 1);
        return absl::OkStatus();
      }
      if (field && dot != std::string::npos) {
        std::string f = path.substr(dot + 1);
        std::string near = Nearest(f, event_names_);
        return Error(t.pos, Cat("unknown event field '", f, "' in ", AggName(agg), "()",
                                near.empty() ? Cat("; event fields: ", Join(event_names_, ", "))
                                             : Cat("; did you mean '", near, "'?")));
      }
    }
    n->types.push_back(path);
    return absl::OkStatus();
  }

  static std::string AggName(Agg a) {
    for (const AggInfo& i : kAggregates)
      if (i.agg == a) return std::string(i.name);
    return "?";
  }

  absl::Status TimeLiteral(const Token& t, Micros* out) {
    if (t.kind != Tok::kString) return Error(t.pos, Cat("expected a timestamp string such as '2024-03-01', found ", Describe(t)));
    auto parser = TimeParser::Create();
    auto ts = parser->Parse(t.text);
    if (!ts.ok()) return Error(t.pos, Cat("expected a timestamp such as '2024-03-01', found '", t.text, "'"));
    *out = *ts;
    return absl::OkStatus();
  }

  NodeOr ParseAggregate(const Token& name, Agg agg) {
    if (in_where_) return Error(name.pos, Cat(name.text, "() cannot be used in a condition on one event (where=, funnel steps)"));
    auto n = Make(Kind::kAggregate, ValueType::kNumber, name.pos);
    n->agg = agg;
    const std::string fname = Lower(name.text);
    // Positional selectors.
    int positional = 0;
    while (!IsOp(Peek(), ")") && !(Peek().kind == Tok::kIdent && IsOp(Peek(1), "=") && !Peek().quoted)) {
      const Token& t = Peek();
      if (positional > 0 && agg != Agg::kSequence)
        return Error(t.pos, Cat(fname, "() takes one event selector; add options as name=value (last=30d, where=...)"));
      if (IsOp(t, "*")) {
        if (NeedsField(agg)) return Error(t.pos, Cat(fname, "() needs a field, e.g. ", fname, "(purchase.revenue)"));
        if (agg == Agg::kSequence) return Error(t.pos, "sequence() steps are event types; '*' (any type) is not a step");
        ++at_;
        n->types.clear();
      } else if (t.kind == Tok::kIdent || t.kind == Tok::kString) {
        if (IsReserved(t)) return Error(t.pos, Cat("expected an event type, found the keyword '", Lower(t.text), "'"));
        ++at_;
        if (auto st = Selector(t, agg, n.get()); !st.ok()) return st;
      } else {
        return Error(t.pos, Cat("expected an event type (e.g. purchase) in ", fname, "(), found ", Describe(t)));
      }
      ++positional;
      if (IsOp(Peek(), ",")) {
        ++at_;
        if (IsOp(Peek(), ")")) return Error(Peek().pos, Cat("expected an argument after ',' in ", fname, "()"));
        continue;
      }
      if (!IsOp(Peek(), ")"))
        return Error(Peek().pos, Cat("expected ',' or ')' in ", fname, "(), found ", Describe(Peek())));
    }
    if (positional == 0)
      return Error(Peek().pos, Cat(fname, "() needs an event type", NeedsField(agg) ? " and field" : "",
                                       ", e.g. ", fname, NeedsField(agg) ? "(purchase.revenue)" : "(purchase)",
                                       agg == Agg::kSequence ? "; sequence(a, b, within=7d)" : ""));
    if (agg == Agg::kSequence && positional < 2)
      return Error(name.pos, "sequence() needs at least two event types in order, e.g. sequence(view_item, purchase, within=7d)");
    // Keyword options.
    while (Peek().kind == Tok::kIdent && IsOp(Peek(1), "=")) {
      const Token& key = Next();
      ++at_;  // '='
      const std::string k = Lower(key.text);
      if (k == "last" || k == "within") {
        const Token& v = Peek();
        if (v.kind != Tok::kDuration)
          return Error(v.pos, Cat("expected a duration such as 30d after ", k, "=, found ", Describe(v)));
        ++at_;
        if (k == "last") {
          n->last = v.dur, uses_clock = true;
          if (std::find(windows.begin(), windows.end(), v.dur) == windows.end()) windows.push_back(v.dur);
        }
        else if (agg != Agg::kSequence) return Error(key.pos, "within= is an option of sequence() only; use last= for a window");
        else n->within = v.dur;
      } else if (k == "since" || k == "until") {
        const Token& v = Next();
        if (auto st = TimeLiteral(v, k == "since" ? &n->since : &n->until); !st.ok()) return st;
      } else if (k == "where") {
        in_where_ = true;
        auto w = ParseOr();
        in_where_ = false;
        if (!w.ok()) return w;
        if ((*w)->type != ValueType::kBool)
          return Error((*w)->pos, Cat("where= needs a condition on the event, found a ", ValueTypeName((*w)->type)));
        n->where = std::move(*w);
      } else if (k == "field" && (NeedsField(agg) || agg == Agg::kCount)) {
        const Token& v = Next();
        if (v.kind != Tok::kIdent) return Error(v.pos, Cat("expected an event field after field=, found ", Describe(v)));
        if (!EventField(v.text)) {
          std::string near = Nearest(v.text, event_names_);
          return Error(v.pos, Cat("unknown event field '", v.text, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?")));
        }
        n->str = v.text;
      } else {
        return Error(key.pos, Cat("unknown option '", key.text, "' of ", fname, "(): expected last=, since=, until=, where=",
                                  agg == Agg::kSequence ? ", within=" : "", (NeedsField(agg) || agg == Agg::kCount) ? ", field=" : ""));
      }
      if (IsOp(Peek(), ",")) {
        ++at_;
        continue;
      }
      break;
    }
    if (auto st = Expect(")", Cat("to close ", fname, "(")); !st.ok()) return st;
    if (NeedsField(agg) && n->str.empty()) return Error(name.pos, Cat(fname, "() needs a field, e.g. ", fname, "(purchase.revenue)"));
    if (!n->str.empty()) {
      n->field_type = EventField(n->str)->type;
      if (agg != Agg::kCount && agg != Agg::kCountDistinct && n->field_type != ValueType::kNumber)
        return Error(name.pos, Cat(fname, "() needs a numeric field; '", n->str, "' is a ", ValueTypeName(n->field_type)));
    }
    for (const std::string& t : n->types) NoteType(t, name.pos);
    if (n->types.empty()) NoteType("*", name.pos);
    switch (agg) {
      case Agg::kDid:
      case Agg::kSequence: n->type = ValueType::kBool; break;
      case Agg::kFirstTime:
      case Agg::kLastTime: n->type = ValueType::kTime; break;
      case Agg::kRecency: n->type = ValueType::kNumber, uses_clock = true; break;
      default: n->type = ValueType::kNumber; break;
    }
    return n;
  }

  std::string_view text_;
  const QuerySchema& schema_;
  std::vector<std::string> profile_names_, event_names_;
  absl::flat_hash_set<std::string> types_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
  bool in_where_ = false;
};

}  // namespace

bool IsQueryParseError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument && status.GetPayload(kQueryParsePayload).has_value();
}

absl::Status PrefixStatus(const absl::Status& status, std::string_view prefix) {
  absl::Status out(status.code(), Cat(prefix, status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

absl::StatusOr<Query> Query::Compile(std::string_view text, const QuerySchema& schema) {
  return CompileScope(text, schema, false);
}

absl::StatusOr<Query> Query::CompileEventFilter(std::string_view text, const QuerySchema& schema) {
  return CompileScope(text, schema, true);
}

absl::StatusOr<Query> Query::CompileScope(std::string_view text, const QuerySchema& schema, bool event_scope) {
  if (Strip(text).empty()) {
    absl::Status st = absl::InvalidArgumentError(event_scope ? "empty event condition: expected e.g. revenue > 50"
                                                             : "empty expression: expected a condition such as did(purchase)");
    st.SetPayload(kQueryParsePayload, absl::Cord("1"));
    return st;
  }
  Parser p(text, schema, event_scope);
  auto root = p.Run();
  if (!root.ok()) return root.status();
  Query q;
  q.root_ = std::shared_ptr<const Node>(std::move(*root));
  q.text_ = std::string(text);
  q.columns_ = std::move(p.columns);
  q.event_types_ = std::move(p.event_types);
  q.warnings_ = std::move(p.warnings);
  q.uses_clock_ = p.uses_clock;
  q.windows_ = std::move(p.windows);
  q.event_scope_ = event_scope;
  return q;
}

}  // namespace cdp
