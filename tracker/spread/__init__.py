"""The database side of the network: organisations, links and adoption read into plain records,
measured by the pure tracker.network.graph, and shaped for the API, the map and the downloads."""
