"""What the two fronts (the window and the `yishi` command) share above the documents and
registers: the command line itself, the frozen console entry, the demo subdistrict and the
year's archive."""
