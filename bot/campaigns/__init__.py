"""Youth-outreach campaigns: deep links, QR posters, arrivals and what each link brought in."""
