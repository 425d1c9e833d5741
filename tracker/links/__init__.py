"""Learning links between organisations: project managers record them, everyone signed in reads them."""
