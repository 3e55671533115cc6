package api

// Temporary: keeps the chosen modules in go.mod while the packages that use
// them are written in parallel. Removed once they are imported for real.
import (
	_ "github.com/danielgtaylor/huma/v2"
	_ "github.com/google/uuid"
	_ "github.com/paulmach/orb"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "golang.org/x/crypto/argon2"
)
