// cdpcore._core Workspace methods for the KPIs (cdp/kpis.hpp): campaign cost and return, web
// traffic, active users, email and surveys. python/cdpcore/kpis.py wraps the results.
#include "py_workspace.hpp"

namespace py = pybind11;
using namespace cdp_py;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

std::vector<double> DoubleVector(const py::object& v) {
  if (v.is_none()) return {};
  Doubles a = v.cast<Doubles>();
  return std::vector<double>(a.data(), a.data() + a.size());
}

py::dict KpiDict(cdp::KpiTable t) {
  py::dict d;
  d["table"] = TableDict(std::move(t.table));
  d["warnings"] = t.warnings;
  return d;
}

py::dict CampaignKpis(PyWorkspace& self, const py::dict& d, const py::dict& costs_in) {
  cdp::CampaignKpiOptions o;
  o.conversion = Opt(d, "conversion", o.conversion);
  o.conversion_where = Opt(d, "conversion_where", o.conversion_where);
  o.attribution = Opt(d, "attribution", o.attribution);
  o.lookback = Dur(d, "lookback", o.lookback);
  o.session_gap = Dur(d, "session_gap", o.session_gap);
  o.half_life = Dur(d, "half_life", o.half_life);
  o.position_first = Opt(d, "position_first", o.position_first);
  o.position_last = Opt(d, "position_last", o.position_last);
  o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
  o.by = Opt(d, "by", o.by);
  o.time_zone = Opt(d, "time_zone", o.time_zone);
  o.margin = Opt(d, "margin", o.margin);
  cdp::CampaignCosts costs;
  costs.campaign = Opt(costs_in, "campaign", costs.campaign);
  costs.channel = Opt(costs_in, "channel", costs.channel);
  if (costs_in.contains("date") && !costs_in["date"].is_none()) {
    Int64s a = costs_in["date"].cast<Int64s>();
    costs.date.assign(a.data(), a.data() + a.size());
  }
  for (auto [name, into] : {std::pair{"impressions", &costs.impressions}, std::pair{"clicks", &costs.clicks},
                            std::pair{"cost", &costs.cost}})
    if (costs_in.contains(name)) *into = DoubleVector(costs_in[name]);
  cdp::CampaignKpiResult r = self.Native([&] { return self.native().CampaignKpis(o, costs); });
  py::dict out;
  out["rows"] = TableDict(std::move(r.rows));
  out["totals"] = TableDict(std::move(r.totals));
  out["conversions"] = r.conversions;
  out["unattributed_conversions"] = r.unattributed_conversions;
  out["new_customers"] = r.new_customers;
  out["revenue"] = r.revenue;
  out["unattributed_revenue"] = r.unattributed_revenue;
  out["warnings"] = r.warnings;
  return out;
}

}  // namespace

void BindKpis(py::class_<PyWorkspace>& cls) {
  cls.def("campaign_kpis", &CampaignKpis)
      .def("web_metrics",
           [](PyWorkspace& self, const py::dict& d, const std::string& group_by) {
             cdp::WebMetricsOptions o;
             o.sessions = PyWorkspace::SessionOpts(d);
             o.period = Opt(d, "period", o.period);
             o.time_zone = Opt(d, "time_zone", o.time_zone);
             return KpiDict(self.Native([&] { return self.native().WebMetrics(o, group_by); }));
           })
      .def("active_users",
           [](PyWorkspace& self, const py::dict& d) {
             cdp::ActiveUsersOptions o;
             o.event = Opt(d, "event", o.event);
             o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
             o.time_zone = Opt(d, "time_zone", o.time_zone);
             return KpiDict(self.Native([&] { return self.native().ActiveUsers(o); }));
           })
      .def("social_metrics",
           [](PyWorkspace& self, const py::dict& d) {
             cdp::SocialMetricsOptions o;
             o.engagement_types = Opt(d, "engagement_types", o.engagement_types);
             o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
             o.period = Opt(d, "period", o.period);
             o.time_zone = Opt(d, "time_zone", o.time_zone);
             return KpiDict(self.Native([&] { return self.native().SocialMetrics(o); }));
           })
      .def("email_metrics",
           [](PyWorkspace& self, const py::dict& d) {
             cdp::EmailMetricsOptions o;
             o.sent = Opt(d, "sent", o.sent);
             o.open = Opt(d, "open", o.open);
             o.click = Opt(d, "click", o.click);
             o.unsubscribe = Opt(d, "unsubscribe", o.unsubscribe);
             o.bounce = Opt(d, "bounce", o.bounce);
             o.conversion = Opt(d, "conversion", o.conversion);
             o.conversion_window = Dur(d, "conversion_window", o.conversion_window);
             o.campaign_column = Opt(d, "campaign_column", o.campaign_column);
             return KpiDict(self.Native([&] { return self.native().EmailMetrics(o); }));
           })
      .def("survey", [](PyWorkspace& self, const py::dict& d, const std::string& group_by) {
        cdp::SurveyOptions o;
        o.kind = Opt(d, "kind", o.kind);
        o.event = Opt(d, "event", o.event);
        o.score_column = Opt(d, "score_column", o.score_column);
        o.confidence = Opt(d, "confidence", o.confidence);
        o.period = Opt(d, "period", o.period);
        o.time_zone = Opt(d, "time_zone", o.time_zone);
        return KpiDict(self.Native([&] { return self.native().Survey(o, group_by); }));
      });
}
