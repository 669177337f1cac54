"""The Reports section: registrations by store and by staff, SMS usage and cost, over days."""
