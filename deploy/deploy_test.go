// Package deploy holds no code: its test checks the deployment files beside it (the
// Kubernetes manifests, the alert rules, the Grafana dashboard) and the repository's
// Dockerfile and CI workflow without kubectl, Docker or Prometheus: every file parses,
// every setting it names is one internal/config declares, every metric it queries is one
// internal/metrics registers, and the security settings stay as docs/operations.md says.
package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"sigs.k8s.io/yaml"

	"github.com/maintainuk/maintainuk/internal/config"
)

// The subset of Kubernetes objects the checks read (sigs.k8s.io/yaml decodes through
// encoding/json, so the json tags name the fields).
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
	Spec       spec              `json:"spec"`
	file       string
}

type spec struct {
	Replicas *int `json:"replicas"`
	Selector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	Template struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec podSpec `json:"spec"`
	} `json:"template"`
	// Service
	ServiceSelector map[string]string `json:"-"`
	Ports           []struct {
		Name       string `json:"name"`
		Port       int    `json:"port"`
		TargetPort any    `json:"targetPort"`
	} `json:"ports"`
	// HorizontalPodAutoscaler
	ScaleTargetRef struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"scaleTargetRef"`
	MinReplicas int `json:"minReplicas"`
	MaxReplicas int `json:"maxReplicas"`
	Metrics     []struct {
		Resource struct {
			Name string `json:"name"`
		} `json:"resource"`
	} `json:"metrics"`
	// PodDisruptionBudget
	MinAvailable any `json:"minAvailable"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int `json:"terminationGracePeriodSeconds"`
	SecurityContext               *struct {
		RunAsNonRoot   *bool `json:"runAsNonRoot"`
		SeccompProfile *struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	} `json:"securityContext"`
	TopologySpreadConstraints []struct {
		TopologyKey   string `json:"topologyKey"`
		LabelSelector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"labelSelector"`
	} `json:"topologySpreadConstraints"`
	RestartPolicy string      `json:"restartPolicy"`
	Containers    []container `json:"containers"`
	Volumes       []struct {
		Name                  string `json:"name"`
		PersistentVolumeClaim *struct {
			ClaimName string `json:"claimName"`
		} `json:"persistentVolumeClaim"`
	} `json:"volumes"`
}

type container struct {
	Name  string   `json:"name"`
	Image string   `json:"image"`
	Args  []string `json:"args"`
	Ports []struct {
		Name          string `json:"name"`
		ContainerPort int    `json:"containerPort"`
	} `json:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `json:"name"`
		} `json:"configMapRef"`
		SecretRef *struct {
			Name string `json:"name"`
		} `json:"secretRef"`
	} `json:"envFrom"`
	Env []struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `json:"name"`
				Key  string `json:"key"`
			} `json:"secretKeyRef"`
		} `json:"valueFrom"`
	} `json:"env"`
	StartupProbe   *probe `json:"startupProbe"`
	ReadinessProbe *probe `json:"readinessProbe"`
	LivenessProbe  *probe `json:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `json:"requests"`
		Limits   map[string]string `json:"limits"`
	} `json:"resources"`
	SecurityContext *struct {
		AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
		RunAsNonRoot             *bool `json:"runAsNonRoot"`
		Capabilities             *struct {
			Drop []string `json:"drop"`
		} `json:"capabilities"`
		SeccompProfile *struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	} `json:"securityContext"`
	VolumeMounts []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
	} `json:"volumeMounts"`
}

type probe struct {
	HTTPGet *struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	} `json:"httpGet"`
}

// manifests reads every resource kustomization.yaml lists, each document of each file.
func manifests(t *testing.T) (objs []object, kustomization map[string]any) {
	t.Helper()
	raw, err := os.ReadFile("k8s/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
		Images    []struct {
			Name    string `json:"name"`
			NewTag  string `json:"newTag"`
			NewName string `json:"newName"`
		} `json:"images"`
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if err := yaml.Unmarshal(raw, &kustomization); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	files, _ := filepath.Glob("k8s/*.yaml")
	var listed []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			listed = append(listed, filepath.Base(f))
		}
	}
	if got := slices.Sorted(slices.Values(k.Resources)); !slices.Equal(got, listed) {
		t.Errorf("kustomization.yaml lists %v; the directory holds %v", got, listed)
	}
	for _, name := range k.Resources {
		raw, err := os.ReadFile(filepath.Join("k8s", name))
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
			var generic map[string]any
			if err := yaml.Unmarshal([]byte(doc), &generic); err != nil {
				t.Fatalf("%s document %d: %v", name, i, err)
			}
			if len(generic) == 0 {
				continue
			}
			var o object
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("%s document %d: %v", name, i, err)
			}
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Errorf("%s document %d lacks apiVersion, kind or metadata.name", name, i)
			}
			meta, _ := generic["metadata"].(map[string]any)
			if _, ok := meta["namespace"]; ok {
				t.Errorf("%s %s sets a namespace; the manifests are namespace-less", o.Kind, o.Metadata.Name)
			}
			specMap, _ := generic["spec"].(map[string]any)
			if sel, ok := specMap["selector"].(map[string]any); ok && o.Kind == "Service" {
				o.Spec.ServiceSelector = map[string]string{}
				for k, v := range sel {
					o.Spec.ServiceSelector[k], _ = v.(string)
				}
			}
			o.file = name
			objs = append(objs, o)
		}
	}
	return objs, kustomization
}

func find(objs []object, kind, name string) *object {
	for i := range objs {
		if objs[i].Kind == kind && objs[i].Metadata.Name == name {
			return &objs[i]
		}
	}
	return nil
}

func of(objs []object, kind string) []*object {
	var out []*object
	for i := range objs {
		if objs[i].Kind == kind {
			out = append(out, &objs[i])
		}
	}
	return out
}

// subset: every label sel asks for is on labels.
func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func settingNames() map[string]bool {
	names := map[string]bool{}
	for _, o := range config.Options() {
		names[o.Name] = true
	}
	return names
}

// source reads a repository file (the test runs in deploy/).
func source(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestManifests(t *testing.T) {
	objs, kustomization := manifests(t)
	settings := settingNames()

	cm := find(objs, "ConfigMap", "maintainuk-config")
	app := find(objs, "Secret", "maintainuk-secrets")
	mig := find(objs, "Secret", "maintainuk-migration")
	if cm == nil || app == nil || mig == nil {
		t.Fatal("want ConfigMap maintainuk-config and Secrets maintainuk-secrets, maintainuk-migration")
	}

	t.Run("every setting named exists in internal/config", func(t *testing.T) {
		check := func(where, name string) {
			if !settings[name] {
				t.Errorf("%s names %s, which internal/config does not declare", where, name)
			}
		}
		for _, o := range objs {
			for k := range o.Data {
				check(o.Kind+" "+o.Metadata.Name, k)
			}
			for k := range o.StringData {
				check(o.Kind+" "+o.Metadata.Name, k)
			}
			for _, c := range o.Spec.Template.Spec.Containers {
				for _, e := range c.Env {
					check(o.Kind+" "+o.Metadata.Name, e.Name)
				}
			}
		}
		// The settings the example Secret's comments ask for.
		raw := source(t, "deploy/k8s/secret.example.yaml")
		for _, m := range regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`).FindAllString(raw, -1) {
			check("secret.example.yaml", m)
		}
		secret := map[string]bool{}
		for _, o := range config.Options() {
			secret[o.Name] = o.Secret
		}
		for k := range cm.Data {
			if secret[k] {
				t.Errorf("ConfigMap holds %s, a secret: it belongs in a Secret", k)
			}
		}
	})

	t.Run("secrets are placeholders", func(t *testing.T) {
		for _, s := range of(objs, "Secret") {
			if len(s.Data) > 0 {
				t.Errorf("Secret %s has data: keep examples in stringData, as placeholders", s.Metadata.Name)
			}
			for k, v := range s.StringData {
				if !strings.Contains(v, "REPLACE-ME") {
					t.Errorf("Secret %s %s is not an obvious placeholder (REPLACE-ME): %q", s.Metadata.Name, k, v)
				}
			}
		}
		if app.StringData["DATABASE_URL"] == mig.StringData["MIGRATION_DATABASE_URL"] {
			t.Error("DATABASE_URL and MIGRATION_DATABASE_URL must differ (production refuses them equal)")
		}
	})

	httpPort := portOf(t, cm.Data["HTTP_ADDR"])
	metricsPort := portOf(t, cm.Data["METRICS_ADDR"])
	shutdown, err := time.ParseDuration(cm.Data["SHUTDOWN_TIMEOUT"])
	if err != nil {
		t.Fatalf("SHUTDOWN_TIMEOUT: %v", err)
	}
	// The probe paths the service really answers: the API's health operations and the
	// METRICS_ADDR listener's (the worker's).
	healthAPI, appGo := source(t, "internal/httpapi/health.go"), source(t, "internal/app/app.go")
	answered := func(path string, onMetrics bool) bool {
		if onMetrics {
			return strings.Contains(appGo, `"GET `+path+`"`)
		}
		return strings.Contains(healthAPI, `Path: "`+path+`"`)
	}

	deployments := of(objs, "Deployment")
	want := map[string]string{"maintainuk-api": "serve", "maintainuk-worker": "worker"}
	var images []string
	for _, d := range deployments {
		t.Run(d.Metadata.Name, func(t *testing.T) {
			if want[d.Metadata.Name] == "" {
				t.Fatalf("unexpected Deployment %s", d.Metadata.Name)
			}
			pod := d.Spec.Template.Spec
			if !subset(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) {
				t.Errorf("selector %v does not match the pod labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
			}
			if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot ||
				pod.SecurityContext.SeccompProfile == nil || pod.SecurityContext.SeccompProfile.Type != "RuntimeDefault" {
				t.Error("pod securityContext needs runAsNonRoot and seccompProfile RuntimeDefault")
			}
			if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= shutdown {
				t.Errorf("terminationGracePeriodSeconds must exceed SHUTDOWN_TIMEOUT (%v)", shutdown)
			}
			if len(pod.TopologySpreadConstraints) == 0 {
				t.Error("no topologySpreadConstraints")
			}
			for _, c := range pod.TopologySpreadConstraints {
				if !subset(c.LabelSelector.MatchLabels, d.Spec.Template.Metadata.Labels) {
					t.Errorf("topology spread on %s selects %v, not these pods", c.TopologyKey, c.LabelSelector.MatchLabels)
				}
			}
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Containers))
			}
			c := pod.Containers[0]
			images = append(images, c.Image)
			if !slices.Equal(c.Args, []string{want[d.Metadata.Name]}) {
				t.Errorf("args %v, want [%s]", c.Args, want[d.Metadata.Name])
			}
			checkContainerSecurity(t, c)
			if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
				t.Errorf("resources need cpu and memory requests and a memory limit: %+v", c.Resources)
			}
			envFrom := map[string]bool{}
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil {
					envFrom["ConfigMap/"+e.ConfigMapRef.Name] = true
				}
				if e.SecretRef != nil {
					envFrom["Secret/"+e.SecretRef.Name] = true
				}
			}
			if !envFrom["ConfigMap/maintainuk-config"] || !envFrom["Secret/maintainuk-secrets"] || envFrom["Secret/maintainuk-migration"] {
				t.Errorf("envFrom %v: want the ConfigMap and the application's Secret, never the migration's", envFrom)
			}
			for _, e := range c.Env {
				if e.Name == "MIGRATION_DATABASE_URL" {
					t.Error("the application must not get the schema owner's URL")
				}
			}
			ports := map[string]int{}
			for _, p := range c.Ports {
				ports[p.Name] = p.ContainerPort
			}
			if ports["metrics"] != metricsPort {
				t.Errorf("metrics port %d, METRICS_ADDR says %d", ports["metrics"], metricsPort)
			}
			if d.Metadata.Name == "maintainuk-api" && ports["http"] != httpPort {
				t.Errorf("http port %d, HTTP_ADDR says %d", ports["http"], httpPort)
			}
			// The API's replicas leave the jobs to the worker Deployment.
			servesJobs := true
			for _, e := range c.Env {
				if e.Name == "SERVE_WORKERS" && e.Value == "false" {
					servesJobs = false
				}
			}
			if d.Metadata.Name == "maintainuk-api" && servesJobs {
				t.Error("the API Deployment must set SERVE_WORKERS=false: worker.yaml works the jobs")
			}
			onMetrics := d.Metadata.Name == "maintainuk-worker" // worker serves no HTTP_ADDR
			for name, p := range map[string]*probe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
				if p == nil || p.HTTPGet == nil {
					t.Errorf("%s missing (or not httpGet)", name)
					continue
				}
				wantPath := "/health/live"
				if name == "readinessProbe" {
					wantPath = "/health/ready"
				}
				if p.HTTPGet.Path != wantPath || !answered(p.HTTPGet.Path, onMetrics) {
					t.Errorf("%s GET %s: want %s, answered by the process", name, p.HTTPGet.Path, wantPath)
				}
				port, _ := p.HTTPGet.Port.(string)
				wantPort := "http"
				if onMetrics {
					wantPort = "metrics"
				}
				if port != wantPort || ports[port] == 0 {
					t.Errorf("%s on port %v, want the container's %q port", name, p.HTTPGet.Port, wantPort)
				}
			}
			mounted := map[string]string{}
			for _, m := range c.VolumeMounts {
				mounted[m.MountPath] = m.Name
			}
			if mounted[cm.Data["DATA_DIR"]] == "" {
				t.Errorf("DATA_DIR %s is not a mounted volume (the root filesystem is read-only)", cm.Data["DATA_DIR"])
			}
		})
	}
	if len(deployments) != len(want) {
		t.Errorf("%d Deployments, want %v", len(deployments), slices.Collect(maps.Keys(want)))
	}

	t.Run("migration job", func(t *testing.T) {
		jobs := of(objs, "Job")
		if len(jobs) != 1 {
			t.Fatalf("%d Jobs, want the migration's", len(jobs))
		}
		pod := jobs[0].Spec.Template.Spec
		if len(pod.Containers) != 1 || !slices.Equal(pod.Containers[0].Args, []string{"migrate"}) {
			t.Fatalf("the Job must run `migrate`: %+v", pod.Containers)
		}
		if pod.RestartPolicy != "Never" && pod.RestartPolicy != "OnFailure" {
			t.Errorf("restartPolicy %q", pod.RestartPolicy)
		}
		c := pod.Containers[0]
		images = append(images, c.Image)
		checkContainerSecurity(t, c)
		found := false
		for _, e := range c.Env {
			if e.Name == "MIGRATION_DATABASE_URL" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ref := e.ValueFrom.SecretKeyRef
				s := find(objs, "Secret", ref.Name)
				found = s != nil && s.StringData[ref.Key] != ""
			}
		}
		if !found {
			t.Error("the Job needs MIGRATION_DATABASE_URL from a Secret of these manifests")
		}
	})

	t.Run("images", func(t *testing.T) {
		imgs, _ := kustomization["images"].([]any)
		if len(imgs) != 1 {
			t.Fatalf("kustomization images: %v", imgs)
		}
		name := imgs[0].(map[string]any)["name"].(string)
		for _, img := range images {
			if img != images[0] || !strings.HasPrefix(img, name+":") {
				t.Errorf("images %v: want one image, %s:<tag>, everywhere", images, name)
				break
			}
		}
	})

	t.Run("selectors", func(t *testing.T) {
		labelsOf := func(name string) map[string]string {
			if d := find(objs, "Deployment", name); d != nil {
				return d.Spec.Template.Metadata.Labels
			}
			return nil
		}
		svc := find(objs, "Service", "maintainuk-api")
		if svc == nil || !subset(svc.Spec.ServiceSelector, labelsOf("maintainuk-api")) ||
			subset(svc.Spec.ServiceSelector, labelsOf("maintainuk-worker")) {
			t.Error("Service maintainuk-api must select the API's pods and only them")
		} else {
			for _, p := range svc.Spec.Ports {
				if p.TargetPort != "http" && p.TargetPort != "metrics" {
					t.Errorf("Service port %s targets %v, not a named container port", p.Name, p.TargetPort)
				}
			}
		}
		pdbs := map[string]bool{}
		for _, p := range of(objs, "PodDisruptionBudget") {
			matched := false
			for d := range want {
				if subset(p.Spec.Selector.MatchLabels, labelsOf(d)) {
					pdbs[d], matched = true, true
				}
			}
			if !matched || p.Spec.MinAvailable == nil {
				t.Errorf("PodDisruptionBudget %s selects no Deployment's pods (or lacks minAvailable)", p.Metadata.Name)
			}
		}
		if len(pdbs) != len(want) {
			t.Errorf("PodDisruptionBudgets cover %v, want every Deployment", pdbs)
		}
		hpas := of(objs, "HorizontalPodAutoscaler")
		if len(hpas) == 0 {
			t.Fatal("no HorizontalPodAutoscaler")
		}
		for _, h := range hpas {
			if h.Spec.ScaleTargetRef.Kind != "Deployment" || find(objs, "Deployment", h.Spec.ScaleTargetRef.Name) == nil ||
				h.Spec.MinReplicas < 2 || h.Spec.MaxReplicas < h.Spec.MinReplicas || len(h.Spec.Metrics) == 0 || h.Spec.Metrics[0].Resource.Name != "cpu" {
				t.Errorf("HPA %s: %+v", h.Metadata.Name, h.Spec.ScaleTargetRef)
			}
		}
		for _, d := range deployments {
			for _, v := range d.Spec.Template.Spec.Volumes {
				if v.PersistentVolumeClaim != nil && find(objs, "PersistentVolumeClaim", v.PersistentVolumeClaim.ClaimName) == nil {
					t.Errorf("%s mounts claim %s, not in the manifests", d.Metadata.Name, v.PersistentVolumeClaim.ClaimName)
				}
			}
		}
	})
}

func checkContainerSecurity(t *testing.T, c container) {
	t.Helper()
	s := c.SecurityContext
	if s == nil || s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation ||
		s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem || s.RunAsNonRoot == nil || !*s.RunAsNonRoot ||
		s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, "ALL") ||
		s.SeccompProfile == nil || s.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("container %s securityContext: want allowPrivilegeEscalation false, readOnlyRootFilesystem, runAsNonRoot, drop ALL, seccomp RuntimeDefault", c.Name)
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	p, err := strconv.Atoi(addr[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("address %q has no port", addr)
	}
	return p
}

// knownMetrics are the series the service exports: the names internal/metrics registers
// (histograms with their _bucket, _sum and _count series), Go's runtime and process
// collectors' (as the service registers them), and Prometheus's own `up`.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	src := source(t, "internal/metrics/metrics.go")
	known := map[string]bool{"up": true}
	for _, m := range regexp.MustCompile(`"(maintainuk_[a-z0-9_]+)"`).FindAllStringSubmatch(src, -1) {
		known[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`HistogramOpts\{\s*Name:\s*"(maintainuk_[a-z0-9_]+)"`).FindAllStringSubmatch(src, -1) {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			known[m[1]+suffix] = true
		}
	}
	if !known["maintainuk_http_requests_total"] || !known["maintainuk_http_request_duration_seconds_bucket"] || !known["maintainuk_job_queue_depth"] {
		t.Fatalf("could not read the metric names from internal/metrics: %v", known)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		known[f.GetName()] = true
	}
	return known
}

var (
	promStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent     = regexp.MustCompile(`\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(\s*\()?`)
	promKeywords  = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true, "inf": true, "nan": true}
	grafanaMacros = regexp.MustCompile(`\$\{?[a-zA-Z_]+\}?`)
)

// metricsIn lists the metric names a PromQL expression reads: what is left once strings,
// label matchers, ranges, grouping clauses and function calls are taken out.
func metricsIn(expr string) []string {
	e := grafanaMacros.ReplaceAllString(expr, "x")
	e = promStrings.ReplaceAllString(e, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRanges.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	var names []string
	for _, m := range promIdent.FindAllStringSubmatch(e, -1) {
		if m[1] != "" || promKeywords[strings.ToLower(m[0])] {
			continue // a function or aggregation, or an operator
		}
		names = append(names, strings.TrimSpace(m[0]))
	}
	return names
}

func TestMetricsIn(t *testing.T) {
	got := metricsIn(`sum by (kind) (rate(maintainuk_jobs_worked_total{outcome=~"failed|panicked"}[15m])) / on (x) max(up{job="$job"}) > 0.1 and foo_bar offset 5m`)
	if want := []string{"maintainuk_jobs_worked_total", "up", "foo_bar"}; !slices.Equal(got, want) {
		t.Fatalf("metricsIn: %v, want %v", got, want)
	}
}

func TestAlertRules(t *testing.T) {
	known := knownMetrics(t)
	raw, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert       string            `json:"alert"`
				Expr        string            `json:"expr"`
				For         string            `json:"for"`
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.UnmarshalStrict(raw, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	seen, used := map[string]bool{}, map[string]bool{}
	for _, g := range rules.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q is empty or unnamed", g.Name)
		}
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q needs alert, expr, a severity label and a summary", r.Alert)
			}
			if seen[r.Alert] {
				t.Errorf("alert %s twice", r.Alert)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("%s: unbalanced parentheses", r.Alert)
			}
			names := metricsIn(r.Expr)
			if len(names) == 0 {
				t.Errorf("%s reads no metric", r.Alert)
			}
			for _, n := range names {
				used[n] = true
				if !known[n] {
					t.Errorf("%s reads %s, which the service does not export", r.Alert, n)
				}
			}
		}
	}
	// The brief of the rules: errors, latency, readiness, jobs, backlog, the pool.
	for _, m := range []string{"maintainuk_http_requests_total", "maintainuk_http_request_duration_seconds_bucket",
		"maintainuk_jobs_worked_total", "maintainuk_job_queue_depth", "maintainuk_db_pool_acquired_connections"} {
		if !used[m] {
			t.Errorf("no alert reads %s", m)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	known := knownMetrics(t)
	raw, err := os.ReadFile("grafana/maintainuk.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("maintainuk.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatal("the dashboard needs a title, a uid and panels")
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] || p.Title == "" || p.Type == "" || len(p.Targets) == 0 {
			t.Errorf("panel %d %q: a unique id, a title, a type and queries", p.ID, p.Title)
		}
		ids[p.ID] = true
		for _, q := range p.Targets {
			for _, n := range metricsIn(q.Expr) {
				if !known[n] {
					t.Errorf("panel %q reads %s, which the service does not export", p.Title, n)
				}
			}
		}
	}
}

// dockerfile is the Dockerfile's instructions, continuation lines joined, comments out.
func dockerfile(t *testing.T) [][2]string {
	t.Helper()
	raw := strings.ReplaceAll(source(t, "Dockerfile"), "\\\n", " ")
	var out [][2]string
	for line := range strings.Lines(raw) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		out = append(out, [2]string{strings.ToUpper(instr), strings.TrimSpace(args)})
	}
	return out
}

func execForm(t *testing.T, what, args string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		t.Errorf("%s %s is not in exec (JSON) form: %v", what, args, err)
	}
	return v
}

func TestDockerfile(t *testing.T) {
	instrs := dockerfile(t)
	var stages []string
	lastFrom := -1
	for i, in := range instrs {
		if in[0] == "FROM" {
			stages = append(stages, in[1])
			lastFrom = i
		}
	}
	if len(stages) < 2 || !strings.HasPrefix(stages[0], "golang:1.26 ") {
		t.Fatalf("want a golang:1.26 build stage and a final stage: %v", stages)
	}
	if final := stages[len(stages)-1]; final != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage %q, want gcr.io/distroless/static-debian12:nonroot", final)
	}
	got := map[string][]string{}
	for _, in := range instrs[lastFrom:] {
		got[in[0]] = append(got[in[0]], in[1])
	}
	if !slices.Equal(got["USER"], []string{"nonroot:nonroot"}) {
		t.Errorf("final stage USER %v, want nonroot:nonroot", got["USER"])
	}
	if !slices.Equal(got["EXPOSE"], []string{"8080"}) {
		t.Errorf("EXPOSE %v", got["EXPOSE"])
	}
	if len(got["ENTRYPOINT"]) != 1 || !slices.Equal(execForm(t, "ENTRYPOINT", got["ENTRYPOINT"][0]), []string{"/maintainuk"}) {
		t.Errorf("ENTRYPOINT %v", got["ENTRYPOINT"])
	}
	if len(got["CMD"]) != 1 || !slices.Equal(execForm(t, "CMD", got["CMD"][0]), []string{"serve"}) {
		t.Errorf("CMD %v", got["CMD"])
	}
	if len(got["HEALTHCHECK"]) != 1 {
		t.Fatalf("HEALTHCHECK %v", got["HEALTHCHECK"])
	}
	_, hc, ok := strings.Cut(got["HEALTHCHECK"][0], "CMD ")
	if !ok || !slices.Equal(execForm(t, "HEALTHCHECK CMD", hc), []string{"/maintainuk", "healthcheck"}) {
		t.Errorf("HEALTHCHECK %q: want CMD [\"/maintainuk\", \"healthcheck\"] (distroless has no shell)", got["HEALTHCHECK"][0])
	}
	if !strings.Contains(source(t, "internal/cli/cli.go"), `case "healthcheck":`) {
		t.Error("the binary has no healthcheck command")
	}
	copied := false
	for _, c := range got["COPY"] {
		copied = copied || strings.HasPrefix(c, "--from=") && strings.HasSuffix(c, " /maintainuk")
	}
	if !copied {
		t.Errorf("the final stage must COPY the binary to /maintainuk from the build stage: %v", got["COPY"])
	}
	build := ""
	secretName := regexp.MustCompile(`(?i)secret|password|token|api_key|private|database_url|credential`)
	for _, in := range instrs {
		if in[0] == "RUN" && strings.Contains(in[1], "go build") {
			build = in[1]
		}
		if in[0] == "ENV" || in[0] == "ARG" {
			if secretName.MatchString(in[1]) {
				t.Errorf("%s %s: no secrets in the image (they come from the environment at run time)", in[0], in[1])
			}
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-ldflags='-s -w'", "--mount=type=cache", "./cmd/maintainuk"} {
		if !strings.Contains(build, want) {
			t.Errorf("the build step lacks %s: %q", want, build)
		}
	}
	ignore := source(t, ".dockerignore")
	for _, want := range []string{".git", ".data", "bin"} {
		if !slices.Contains(strings.Fields(ignore), want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}

func TestCIWorkflow(t *testing.T) {
	raw := source(t, ".github/workflows/ci.yml")
	var wf struct {
		On   any `json:"on"`
		Jobs map[string]struct {
			RunsOn string `json:"runs-on"`
			Steps  []struct {
				Uses string         `json:"uses"`
				Run  string         `json:"run"`
				With map[string]any `json:"with"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(raw), &wf); err != nil {
		t.Fatalf("ci.yml: %v", err)
	}
	runs := ""
	for name, j := range wf.Jobs {
		if j.RunsOn == "" || len(j.Steps) == 0 {
			t.Errorf("job %s needs runs-on and steps", name)
		}
		for _, s := range j.Steps {
			runs += s.Run + "\n"
			if strings.HasPrefix(s.Uses, "actions/setup-go") && fmt.Sprint(s.With["go-version-file"]) != "go.mod" {
				t.Errorf("setup-go should read go.mod: %v", s.With)
			}
		}
	}
	if !strings.Contains(runs, "make test") && !(strings.Contains(runs, ".ci/run") && strings.Contains(source(t, ".ci/run"), "make test")) {
		t.Error("CI does not run make test")
	}
	if !strings.Contains(runs, "-fuzz=") {
		t.Error("CI does not run the fuzz targets")
	}
}
