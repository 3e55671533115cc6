package api

// ResetLeagueCache forgets the league tables read so far, for the
// benchmark of a cold read.
func ResetLeagueCache() {
	leagueCache.Lock()
	clear(leagueCache.m)
	leagueCache.Unlock()
}
