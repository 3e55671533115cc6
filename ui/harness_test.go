package ui_test

// The browser harness every browser test shares: one headless Chromium
// driven by chromedp, with steps that each have their own time bound, and
// screenshots into $GRIDWORK_SCREENSHOTS when it is set.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one Chromium for one test.
type browser struct {
	t     *testing.T
	ctx   context.Context // the browser's tab, without a deadline
	shots string          // where screenshots go; "" for none
}

// newBrowser starts a headless Chromium at chrome (chromePath) with a
// desktop-sized window; it is closed when the test ends.
func newBrowser(t *testing.T, chrome string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 860),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// Start the browser on a context without a deadline (a deadline on the
	// first call would bound the browser's life, not the call's).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	return &browser{t: t, ctx: ctx, shots: os.Getenv("GRIDWORK_SCREENSHOTS")}
}

// run does one step's actions within a minute. On failure it reports the
// page's address (and with GRIDWORK_TEST_DEBUG its main element's HTML;
// with screenshots on, a picture as failed.png) and fails the test.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	t := b.t
	t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		if os.Getenv("GRIDWORK_TEST_DEBUG") != "" {
			html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string]("document.querySelector('main') ? document.querySelector('main').outerHTML : document.body.outerHTML"))
			t.Logf("page:\n%s", html)
		}
		if b.shots != "" {
			if png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(b.shots, "failed.png"), png, 0o644)
			}
		}
		t.Fatalf("%s: %v (page %s)", step, err, loc)
	}
}

// value runs an action that reads something from the page.
func (b *browser) value(step string, a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// shot saves a full-page PNG named name when screenshots are on.
func (b *browser) shot(name string) {
	t := b.t
	t.Helper()
	if b.shots == "" {
		return
	}
	// Let fonts, charts and the map settle before the picture.
	b.run("settle", chromedp.Sleep(400*time.Millisecond))
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// click waits for an element, and for it to be enabled (a button shown
// loading is disabled and would swallow the click: under the race detector
// the previous step's reload can still be running), and clicks it through
// the DOM (HTMLElement.click): the app's own handlers run, without
// depending on where the element lies under the synthetic mouse.
func (b *browser) click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.WaitEnabled(chromedp.CSS(sel)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("(document.querySelector(%s).click(), true)", strconv.Quote(sel))))
			return err
		}))
}

// text waits for an element and reads its text.
func (b *browser) text(step, sel string) string {
	b.t.Helper()
	b.run(step, chromedp.WaitVisible(chromedp.CSS(sel)))
	return b.value(step, chromedp.Text(chromedp.CSS(sel)))
}
