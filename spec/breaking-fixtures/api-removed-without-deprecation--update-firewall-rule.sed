# updateFirewallRule (2.1.0) is gone: a client that relabels rules gets 404s.
/^  \/databases\/{database_id}\/firewall_rules\/{firewall_rule_id}:$/,/^  \/firewall\/managed_ranges:$/{
	/^    patch:$/,/^$/d
}
