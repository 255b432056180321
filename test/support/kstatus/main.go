// kstatus reads Kubernetes objects as JSON, one per line, and prints for each the status Flux's health
// checks compute: {"status":"Current|InProgress|Failed|Unknown|...","message":"..."}. Without flags it is
// kstatus (github.com/fluxcd/cli-utils), what kustomize-controller's healthChecks use for a kind it has
// no other reader for; with --current (and --failed, --in-progress) it evaluates those CEL expressions as
// a Kustomization's healthCheckExprs do (github.com/fluxcd/pkg/runtime/cel). An evaluation error is
// printed as Unknown, as Flux's poller reports it (and keeps waiting).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/runtime/cel"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func main() {
	var exprs kustomize.HealthCheckExpressions
	flag.StringVar(&exprs.Current, "current", "", "healthCheckExprs current")
	flag.StringVar(&exprs.Failed, "failed", "", "healthCheckExprs failed")
	flag.StringVar(&exprs.InProgress, "in-progress", "", "healthCheckExprs inProgress")
	flag.Parse()

	compute := status.Compute
	if exprs.Current != "" {
		evaluator, err := cel.NewStatusEvaluator(&exprs)
		if err != nil {
			fail(err)
		}
		compute = func(u *unstructured.Unstructured) (*status.Result, error) {
			return evaluator.Evaluate(context.Background(), u)
		}
	}

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(in.Bytes()); err != nil {
			fail(err)
		}
		verdict := map[string]string{}
		if res, err := compute(obj); err != nil {
			verdict["status"], verdict["message"] = status.UnknownStatus.String(), err.Error()
		} else {
			verdict["status"], verdict["message"] = res.Status.String(), res.Message
		}
		if err := out.Encode(verdict); err != nil {
			fail(err)
		}
	}
	if err := in.Err(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kstatus:", err)
	os.Exit(1)
}
