// Typed AST of the expression language (internal to src/query).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cdp/query.hpp"

namespace cdp::query_internal {

enum class Kind {
  kLiteral,      // num / time / str / boolean / null
  kColumn,       // profile column `name`
  kEventColumn,  // event column `name` (inside where=): ts, type, revenue or a named column
  kNot,
  kAnd,
  kOr,
  kCompare,      // args[0] cmp args[1]
  kIn,           // args[0] in (args[1..]) (literals), `negate` for not in
  kBetween,      // args[0] between args[1] and args[2], `negate`
  kIsNull,       // args[0] is null, `negate` for is not null
  kArith,        // args[0] arith args[1]
  kNeg,          // -args[0]
  kCall,         // scalar function `fn`(args)
  kAggregate,    // event aggregate `agg` over the profile's events
};

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };
enum class Arith { kAdd, kSub, kMul, kDiv };
enum class Fn {
  kLower, kUpper, kLength, kContains, kStartsWith, kEndsWith, kHas, kAbs, kRound, kLog, kCoalesce,
  kDaysSince, kDays, kNow, kDate, kDistanceKm
};
enum class Agg { kCount, kDid, kSum, kAvg, kMin, kMax, kCountDistinct, kFirstTime, kLastTime, kRecency, kSequence };

struct Node {
  Kind kind = Kind::kLiteral;
  ValueType type = ValueType::kNull;
  int pos = 0;  // byte offset of the node's first token
  // Literal.
  double num = 0;
  int64_t i64 = 0;  // kTime / kDuration literal, kBool literal (0/1)
  std::string str;  // kString literal; column name; event field
  // Operators.
  Cmp cmp = Cmp::kEq;
  Arith arith = Arith::kAdd;
  bool negate = false;
  Fn fn = Fn::kLower;
  std::vector<std::unique_ptr<Node>> args;
  // Aggregates.
  Agg agg = Agg::kCount;
  std::vector<std::string> types;  // event types; empty = any; sequence: the steps in order
  ValueType field_type = ValueType::kNull;  // str = field name ("" = none)
  Micros last = 0;                 // window (clock - last, clock]; 0 = none
  Micros since = INT64_MIN, until = INT64_MAX;  // [since, until)
  Micros within = 0;               // sequence: max time from the first step to the last
  std::unique_ptr<Node> where;     // event-level predicate
};

}  // namespace cdp::query_internal
