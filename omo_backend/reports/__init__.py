"""Reports for managers: registrations by referral store and staff, SMS usage and its cost."""
