"""The planning engine: timetables on OR-Tools CP-SAT, in plain Python (no Django),
like the rules core. `engine` places a centre's sessions (R-CAL-1..3); `itc2007`
reads, writes and scores the ITC-2007 Track 3 benchmark that measures the solver."""
