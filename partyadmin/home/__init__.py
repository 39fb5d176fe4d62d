"""Home pages: each role's work at a glance (issue 7). They read every app, so they live in
the project package above the apps rather than in core, which the apps build on."""
