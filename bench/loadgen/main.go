// loadgen: a small closed-loop HTTP load generator for the benchmarks under bench/.
//
// c connections each send GET requests back to back for a fixed time (after a
// warm-up) over keep-alive connections and record every latency. With -sign-secret it
// signs each request the way the gateway does (rentezy_common.gateway.sign_request), so
// the same GET can be sent straight to a service; -sign-users N signs request i as user
// <sign-user>+i%N, so a burst comes from N distinct callers. With -urls FILE (one URL per line;
// blank lines and lines starting with # are skipped) the requests cycle through those
// URLs round-robin across all connections, for a mixed workload. With -method POST and
// -bodies FILE (one request body per line) it sends those bodies round-robin as JSON.
// With -burst N it sends N requests at the same instant, each on its own connection,
// waits for every answer and reports the time until the last one (settle_ms). Prints
// one JSON object; `statuses` counts the answers by HTTP status.
package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Non2xx      int     `json:"non_2xx"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P95ms       float64 `json:"p95_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	Concurrency int     `json:"concurrency"`
	// Answers by HTTP status ("201": 5, "409": 995).
	Statuses map[string]int `json:"statuses"`
	// -burst: from the moment every request is released until the last answer.
	SettleMs float64 `json:"settle_ms,omitempty"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sign(req *http.Request, secret, user, role string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := randomHex(16)
	requestID := randomHex(16)
	path, err := url.PathUnescape(req.URL.EscapedPath())
	if err != nil {
		path = req.URL.Path
	}
	msg := strings.Join([]string{"v1", req.Method, path, req.URL.RawQuery, user, role, requestID, ts, nonce}, "\n")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	req.Header.Set("X-Rentezy-User-Id", user)
	req.Header.Set("X-Rentezy-User-Role", role)
	req.Header.Set("X-Request-ID", requestID)
	req.Header.Set("X-Rentezy-Timestamp", ts)
	req.Header.Set("X-Rentezy-Nonce", nonce)
	req.Header.Set("X-Rentezy-Signature", "v1="+hex.EncodeToString(mac.Sum(nil)))
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return float64(sorted[i].Microseconds()) / 1000
}

// readURLs reads one URL per line; blank lines and # comments are skipped.
func readURLs(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		urls = append(urls, line)
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("%s holds no URL", path)
	}
	return urls, nil
}

func main() {
	target := flag.String("url", "", "URL to GET")
	urlsFile := flag.String("urls", "", "file of URLs to GET round-robin (instead of -url)")
	concurrency := flag.Int("c", 1, "connections")
	duration := flag.Duration("d", 10*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	secret := flag.String("sign-secret", "", "sign requests like the gateway with this secret")
	user := flag.String("sign-user", "", "user id to sign")
	role := flag.String("sign-role", "", "role to sign")
	signUsers := flag.Int("sign-users", 0, "sign request i as user <sign-user>+i%N: N distinct callers (numeric -sign-user)")
	method := flag.String("method", "GET", "HTTP method")
	bodiesFile := flag.String("bodies", "", "file of JSON request bodies, one per line, sent round-robin")
	burst := flag.Int("burst", 0, "send this many requests at once, one connection each, and stop")
	rate := flag.Float64("rate", 0, "total requests per second, paced across the connections (0: as fast as they go)")
	var headers headerList
	flag.Var(&headers, "H", "header 'Name: value' (repeatable)")
	flag.Parse()
	targets := []string{*target}
	if *urlsFile != "" {
		if *target != "" {
			fmt.Fprintln(os.Stderr, "loadgen: give -url or -urls, not both")
			os.Exit(2)
		}
		var err error
		if targets, err = readURLs(*urlsFile); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(2)
		}
	} else if *target == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url or -urls is required")
		os.Exit(2)
	}
	var nextTarget atomic.Uint64
	var bodies []string
	if *bodiesFile != "" {
		var err error
		if bodies, err = readURLs(*bodiesFile); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(2)
		}
	}
	newRequest := func(i uint64) *http.Request {
		var body io.Reader
		if len(bodies) > 0 {
			body = strings.NewReader(bodies[i%uint64(len(bodies))])
		}
		req, err := http.NewRequest(*method, targets[i%uint64(len(targets))], body)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: bad URL:", err)
			os.Exit(2)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for _, h := range headers {
			name, value, _ := strings.Cut(h, ":")
			req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		if *secret != "" {
			caller := *user
			if *signUsers > 0 {
				base, _ := strconv.Atoi(*user)
				caller = strconv.Itoa(base + int(i%uint64(*signUsers)))
			}
			sign(req, *secret, caller, *role)
		}
		return req
	}
	if *burst > 0 {
		runBurst(*burst, newRequest)
		return
	}

	transport := &http.Transport{
		MaxIdleConns:        *concurrency * 2,
		MaxIdleConnsPerHost: *concurrency * 2,
		MaxConnsPerHost:     *concurrency,
		DisableCompression:  true,
		IdleConnTimeout:     60 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var mu sync.Mutex
	var latencies []time.Duration
	errors, non2xx := 0, 0
	statuses := map[string]int{}
	start := time.Now()
	measureFrom := start.Add(*warmup)
	stopAt := measureFrom.Add(*duration)
	// With -rate, a ticker hands out send slots; a connection still waits for its own
	// previous answer, so latencies are from the actual send (no coordinated-omission
	// correction: keep the rate below what the target sustains).
	var slots chan struct{}
	if *rate > 0 {
		slots = make(chan struct{}, *concurrency)
		interval := time.Duration(float64(time.Second) / *rate)
		go func() {
			ticker := time.NewTicker(interval)
			defer ticker.Stop()
			for range ticker.C {
				select {
				case slots <- struct{}{}:
				default: // every connection busy: the slot is dropped
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			localErr, localBad := 0, 0
			localStatus := map[string]int{}
			for {
				if slots != nil {
					select {
					case <-slots:
					case <-time.After(time.Until(stopAt)):
					}
				}
				now := time.Now()
				if now.After(stopAt) {
					break
				}
				req := newRequest(nextTarget.Add(1) - 1)
				began := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				elapsed := time.Since(began)
				if began.Before(measureFrom) {
					continue
				}
				if err != nil {
					localErr++
					continue
				}
				if resp.StatusCode < 200 || resp.StatusCode > 299 {
					localBad++
				}
				localStatus[strconv.Itoa(resp.StatusCode)]++
				local = append(local, elapsed)
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errors += localErr
			non2xx += localBad
			for code, n := range localStatus {
				statuses[code] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	seconds := duration.Seconds()
	out := result{
		Requests:    len(latencies),
		Errors:      errors,
		Non2xx:      non2xx,
		Seconds:     seconds,
		RPS:         float64(len(latencies)) / seconds,
		P50ms:       percentile(latencies, 0.50),
		P90ms:       percentile(latencies, 0.90),
		P95ms:       percentile(latencies, 0.95),
		P99ms:       percentile(latencies, 0.99),
		Concurrency: *concurrency,
		Statuses:    statuses,
	}
	if len(latencies) > 0 {
		out.MaxMs = float64(latencies[len(latencies)-1].Microseconds()) / 1000
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

// runBurst builds n requests, releases them at the same instant, each on its own new
// connection, and waits for every answer.
func runBurst(n int, newRequest func(uint64) *http.Request) {
	transport := &http.Transport{
		MaxIdleConnsPerHost: n,
		MaxConnsPerHost:     n,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: transport, Timeout: 120 * time.Second}
	requests := make([]*http.Request, n)
	for i := range requests {
		requests[i] = newRequest(uint64(i))
	}
	latencies := make([]time.Duration, n)
	codes := make([]int, n)
	gate := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer done.Done()
			ready.Done()
			<-gate
			began := time.Now()
			resp, err := client.Do(requests[i])
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes[i] = resp.StatusCode
			}
			latencies[i] = time.Since(began)
		}(i)
	}
	ready.Wait()
	time.Sleep(100 * time.Millisecond) // every goroutine parked on the gate
	start := time.Now()
	close(gate)
	done.Wait()
	settle := time.Since(start)
	out := result{Requests: n, Concurrency: n, Statuses: map[string]int{}}
	for _, code := range codes {
		if code == 0 {
			out.Errors++
			continue
		}
		if code < 200 || code > 299 {
			out.Non2xx++
		}
		out.Statuses[strconv.Itoa(code)]++
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	out.Seconds = settle.Seconds()
	out.SettleMs = float64(settle.Microseconds()) / 1000
	out.RPS = float64(n) / settle.Seconds()
	out.P50ms = percentile(latencies, 0.50)
	out.P90ms = percentile(latencies, 0.90)
	out.P95ms = percentile(latencies, 0.95)
	out.P99ms = percentile(latencies, 0.99)
	out.MaxMs = float64(latencies[n-1].Microseconds()) / 1000
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
