package auth

import (
	"strings"
	"testing"
)

func TestHashAndCheckPassword(t *testing.T) {
	hash, err := HashPassword("正确的密码 correct horse", TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the given parameters", hash)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right", "正确的密码 correct horse", true},
		{"wrong", "正确的密码 correct horsE", false},
		{"empty", "", false},
		{"prefix", "正确的密码", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(hash, tt.pw)
			if err != nil || ok != tt.want {
				t.Fatalf("CheckPassword = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
	again, _ := HashPassword("正确的密码 correct horse", TestParams)
	if again == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "!", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=1,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=1,t=1,p=1$!!$AAAA"} {
		if _, err := CheckPassword(h, "pw"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", h)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		pw := GeneratePassword()
		if len(pw) != 16 || strings.ContainsAny(pw, "0O1lI") {
			t.Fatalf("generated %q: want 16 characters without look-alikes", pw)
		}
		if seen[pw] {
			t.Fatalf("generated %q twice", pw)
		}
		seen[pw] = true
	}
}

func TestCheckPasswordStrength(t *testing.T) {
	tests := []struct{ pw, user, want string }{
		{"short", "zhang", "at least"},
		{"zhangsan123", "zhangsan123", "username"},
		{"a long enough one", "zhang", ""},
	}
	for _, tt := range tests {
		got := CheckPasswordStrength(tt.pw, tt.user)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("CheckPasswordStrength(%q, %q) = %q, want containing %q", tt.pw, tt.user, got, tt.want)
		}
	}
}

func TestDelayAfter(t *testing.T) {
	tests := []struct {
		failures int
		want     string
	}{{0, "0s"}, {2, "0s"}, {3, "1s"}, {4, "2s"}, {8, "32s"}, {9, "1m0s"}, {30, "1m0s"}}
	for _, tt := range tests {
		if got := delayAfter(tt.failures).String(); got != tt.want {
			t.Errorf("delayAfter(%d) = %s, want %s", tt.failures, got, tt.want)
		}
	}
}

// The permission table, written out: a change to who may do what must
// change this test too.
func TestAllowed(t *testing.T) {
	want := map[Action]string{
		ReadOrg:          "admin centre_staff community_staff inspector grid_worker",
		ManageOrg:        "admin centre_staff",
		EditGridBoard:    "admin centre_staff community_staff grid_worker",
		ManageWorkers:    "admin centre_staff community_staff",
		ManageUsers:      "admin centre_staff",
		ReadAudit:        "admin centre_staff",
		ManageOwnAccount: "admin centre_staff community_staff inspector grid_worker",
		ReadRecords:      "admin centre_staff community_staff inspector grid_worker",
		WriteRecords:     "admin centre_staff community_staff grid_worker",
		UnmaskIdentity:   "centre_staff community_staff grid_worker",
		ReadCare:         "centre_staff community_staff grid_worker",
		WriteCare:        "centre_staff community_staff grid_worker",
		ImportRecords:    "admin centre_staff community_staff",
		ConfigureRecords: "admin centre_staff",
		ReadFacts:        "admin centre_staff community_staff inspector grid_worker",
		CollectFacts:     "admin centre_staff",
		ReadAssessment:   "admin centre_staff community_staff inspector grid_worker",
		ManageSchemes:    "admin centre_staff",
		RunAssessment:    "admin centre_staff",
		RecordFinding:    "centre_staff inspector",
		FileAppeal:       "centre_staff community_staff grid_worker",
		DecideAppeal:     "centre_staff",
		ReadSurveys:      "admin centre_staff community_staff inspector",
		ManageSurveys:    "admin centre_staff",
		PrintSurveyCodes: "centre_staff community_staff",
		// Patrols: a worker's phone posts their own points.
		PostPatrol: "grid_worker",
		ReadPatrol: "admin centre_staff community_staff inspector grid_worker",
		// Spot checks: the centre draws, the drawn inspector records, the
		// worker fixes and answers their quiz, the centre verifies.
		ReadInspections:  "admin centre_staff community_staff inspector grid_worker",
		PlanInspections:  "admin centre_staff",
		RecordInspection: "centre_staff inspector",
		FixInspectTasks:  "centre_staff community_staff grid_worker",
		TakeQuiz:         "grid_worker",
		ReportFailing:    "centre_staff inspector",
		VerifyFailing:    "centre_staff",
		// Events: workers report and handle, the centre approves.
		ReadEvents:      "admin centre_staff community_staff inspector grid_worker",
		ReportEvent:     "centre_staff community_staff grid_worker",
		HandleEvents:    "centre_staff community_staff grid_worker",
		ApproveEvents:   "centre_staff",
		ConfigureEvents: "admin centre_staff",
		// Duty: nobody reviews what they are ranked on.
		ReadDuty:     "admin centre_staff community_staff inspector grid_worker",
		WriteDuty:    "centre_staff community_staff grid_worker",
		ManageDuty:   "admin centre_staff community_staff",
		ApproveLeave: "centre_staff community_staff",
		ReviewDuty:   "centre_staff inspector",
		// What a scope holds beyond its subtree (issue 14: no role
		// comparisons outside this table).
		SeeEverywhere:       "admin",
		SeeColleagues:       "admin centre_staff community_staff inspector",
		WriteAnyGrid:        "admin centre_staff community_staff inspector",
		ReadWholeRuns:       "admin centre_staff",
		ListAllFacts:        "admin centre_staff",
		ImportPlatforms:     "admin centre_staff",
		StandInForInspector: "centre_staff",
		ManageStaffAccounts: "admin",
		// Event steps, formerly api/events.go's roleSteps.
		EventAccept:           "centre_staff community_staff",
		EventDispatch:         "centre_staff",
		EventHandle:           "centre_staff community_staff grid_worker",
		EventVerify:           "centre_staff community_staff",
		EventClose:            "centre_staff community_staff",
		EventSendBack:         "centre_staff community_staff",
		EventEscalate:         "centre_staff community_staff grid_worker",
		EventRequestExtension: "centre_staff community_staff grid_worker",
		EventRequestPark:      "centre_staff community_staff grid_worker",
		EventRequestVoid:      "centre_staff community_staff grid_worker",
		EventResume:           "centre_staff community_staff",
		EventHandleAny:        "centre_staff community_staff",
	}
	for a, roles := range want {
		for _, r := range Roles {
			if got, exp := Allowed(r, a), strings.Contains(" "+roles+" ", " "+string(r)+" "); got != exp {
				t.Errorf("Allowed(%s, %s) = %v, want %v", r, a, got, exp)
			}
		}
	}
	if len(permissions) != len(want) {
		t.Errorf("the permission table has %d actions; this test knows %d", len(permissions), len(want))
	}
}
