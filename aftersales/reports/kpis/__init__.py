"""KPIs per engineer, team and period, and the manager's dashboard (today's picture and trends)."""
