{{/*
Names, labels, the generated configuration and its secret wiring, the checks that fail a bad
combination of values, and the one pod template shared by the ingress Deployment, the worker
Deployment and the StatefulSets (serve in mode embedded; ingress with a persistent spool).
*/}}

{{/* Chart name, or nameOverride. */}}
{{- define "qss-forwarder.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name prefix of every resource: <release>-<name>, at most 63 characters (52 leaves room for suffixes). */}}
{{- define "qss-forwarder.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version label value. */}}
{{- define "qss-forwarder.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource (Kubernetes recommended labels). */}}
{{- define "qss-forwarder.labels" -}}
helm.sh/chart: {{ include "qss-forwarder.chart" . }}
{{ include "qss-forwarder.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: qss-forwarder
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of every pod of the release. */}}
{{- define "qss-forwarder.selectorLabels" -}}
app.kubernetes.io/name: {{ include "qss-forwarder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: (dict "root" $ "component" "ingress"). */}}
{{- define "qss-forwarder.componentLabels" -}}
{{ include "qss-forwarder.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "ingress"). */}}
{{- define "qss-forwarder.componentSelectorLabels" -}}
{{ include "qss-forwarder.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The component that serves webhooks: ingress (mode kafka) or serve (mode embedded). */}}
{{- define "qss-forwarder.webhookComponent" -}}
{{- if eq .Values.mode "embedded" }}serve{{ else }}ingress{{ end }}
{{- end }}

{{/* Whether the Kafka-mode ingress runs as a StatefulSet (spool on a PVC per pod). */}}
{{- define "qss-forwarder.ingressIsStatefulSet" -}}
{{- if and (eq .Values.mode "kafka") .Values.workloads.ingress.spool.persistence.enabled }}true{{ end }}
{{- end }}

{{- define "qss-forwarder.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "qss-forwarder.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "qss-forwarder.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "qss-forwarder.secretName" -}}
{{- include "qss-forwarder.fullname" . }}
{{- end }}

{{- define "qss-forwarder.configMapName" -}}
{{- printf "%s-config" (include "qss-forwarder.fullname" .) }}
{{- end }}

{{/* Writable state (data_dir, the bus files, the Kafka spool). */}}
{{- define "qss-forwarder.dataDir" -}}/var/lib/qss-forwarder{{- end }}
{{- define "qss-forwarder.configDir" -}}/etc/qss-forwarder{{- end }}
{{- define "qss-forwarder.kafkaTlsDir" -}}/etc/qss-forwarder-kafka-tls{{- end }}

{{/*
Secret environment: a list of {env, secretKey (in the chart's Secret), value, existingName,
existingKey}, as JSON under "items". Every pod gets all of them: each role reads both config files
at start, and a `${VAR}` without a value is a start-up error.
*/}}
{{- define "qss-forwarder.secretEnvItems" -}}
{{- $items := list }}
{{- range $app, $cfg := .Values.zoom.apps }}
{{- $prefix := printf "QSS_ZOOM_APP_%s" ($app | upper | replace "-" "_") }}
{{- $tokenEnv := ternary "ZOOM_WEBHOOK_SECRET_TOKEN" (printf "%s_SECRET_TOKEN" $prefix) (eq $app "default") }}
{{- $existing := $cfg.existingSecret | default dict }}
{{- if $existing.name }}
{{- $items = append $items (dict "env" $tokenEnv "existingName" $existing.name "existingKey" ($existing.key | default "secret-token")) }}
{{- range $i, $key := $existing.previousKeys | default list }}
{{- $items = append $items (dict "env" (printf "%s_PREVIOUS_SECRET_TOKEN_%d" $prefix $i) "existingName" $existing.name "existingKey" $key) }}
{{- end }}
{{- else }}
{{- $items = append $items (dict "env" $tokenEnv "secretKey" (printf "zoom-%s-secret-token" $app) "value" ($cfg.secretToken | default "")) }}
{{- range $i, $token := $cfg.previousSecretTokens | default list }}
{{- $items = append $items (dict "env" (printf "%s_PREVIOUS_SECRET_TOKEN_%d" $prefix $i) "secretKey" (printf "zoom-%s-previous-secret-token-%d" $app $i) "value" $token) }}
{{- end }}
{{- end }}
{{- end }}
{{- $sasl := .Values.kafka.sasl }}
{{- if and (eq .Values.mode "kafka") $sasl.enabled }}
{{- if $sasl.existingSecret.name }}
{{- $items = append $items (dict "env" "QSS_KAFKA_SASL_PASSWORD" "existingName" $sasl.existingSecret.name "existingKey" ($sasl.existingSecret.key | default "password")) }}
{{- else }}
{{- $items = append $items (dict "env" "QSS_KAFKA_SASL_PASSWORD" "secretKey" "kafka-sasl-password" "value" $sasl.password) }}
{{- end }}
{{- end }}
{{- range $name, $entry := .Values.secretEnv }}
{{- $existing := $entry.existingSecret | default dict }}
{{- if $existing.name }}
{{- $items = append $items (dict "env" $name "existingName" $existing.name "existingKey" ($existing.key | default $name)) }}
{{- else if $entry.value }}
{{- $items = append $items (dict "env" $name "secretKey" $name "value" $entry.value) }}
{{- end }}
{{- end }}
{{- dict "items" $items | toJson }}
{{- end }}

{{/* data of the chart's Secret (key → value), as JSON; empty when every secret is an existingSecret. */}}
{{- define "qss-forwarder.secretData" -}}
{{- $data := dict }}
{{- range (include "qss-forwarder.secretEnvItems" . | fromJson).items }}
{{- if .secretKey }}
{{- $_ := set $data .secretKey .value }}
{{- end }}
{{- end }}
{{- $data | toJson }}
{{- end }}

{{/* forwarder.yaml as a dict: chart defaults < config.forwarder < what the chart owns. */}}
{{- define "qss-forwarder.forwarderConfig" -}}
{{- $v := .Values }}
{{- $cfg := dict "server" (dict "host" "0.0.0.0") "admin" (dict "host" "0.0.0.0") }}
{{- $cfg = mergeOverwrite $cfg (deepCopy ($v.config.forwarder | default dict)) }}
{{- $data := include "qss-forwarder.dataDir" . }}
{{- $_ := set $cfg "data_dir" $data }}
{{- $apps := dict }}
{{- range $app, $appCfg := $v.zoom.apps }}
{{- $prefix := printf "QSS_ZOOM_APP_%s" ($app | upper | replace "-" "_") }}
{{- $tokenEnv := ternary "ZOOM_WEBHOOK_SECRET_TOKEN" (printf "%s_SECRET_TOKEN" $prefix) (eq $app "default") }}
{{- $count := len ($appCfg.previousSecretTokens | default list) }}
{{- if ($appCfg.existingSecret | default dict).name }}
{{- $count = len ($appCfg.existingSecret.previousKeys | default list) }}
{{- end }}
{{- $previous := list }}
{{- range $i, $_ := until $count }}
{{- $previous = append $previous (printf "${%s_PREVIOUS_SECRET_TOKEN_%d}" $prefix $i) }}
{{- end }}
{{- $_ := set $apps $app (dict "secret_token" (printf "${%s}" $tokenEnv) "previous_secret_tokens" $previous) }}
{{- end }}
{{- $_ := set $cfg "zoom" (dict "apps" $apps) }}
{{- $bus := $cfg.bus | default dict }}
{{- if eq $v.mode "kafka" }}
{{- $_ := set $bus "type" "kafka" }}
{{- $kafka := $bus.kafka | default dict }}
{{- $_ := set $kafka "brokers" $v.kafka.brokers }}
{{- $spool := $kafka.spool | default dict }}
{{- $_ := set $spool "path" (printf "%s/spool.sqlite" $data) }}
{{- $_ := set $kafka "spool" $spool }}
{{- $_ := unset $kafka "tls" }}
{{- if $v.kafka.tls.enabled }}
{{- $tls := dict "reject_unauthorized" $v.kafka.tls.rejectUnauthorized }}
{{- if $v.kafka.tls.existingSecret }}
{{- $dir := include "qss-forwarder.kafkaTlsDir" . }}
{{- with $v.kafka.tls.caKey }}{{ $_ := set $tls "ca_file" (printf "%s/%s" $dir .) }}{{ end }}
{{- with $v.kafka.tls.certKey }}{{ $_ := set $tls "cert_file" (printf "%s/%s" $dir .) }}{{ end }}
{{- with $v.kafka.tls.keyKey }}{{ $_ := set $tls "key_file" (printf "%s/%s" $dir .) }}{{ end }}
{{- end }}
{{- $_ := set $kafka "tls" $tls }}
{{- end }}
{{- $_ := unset $kafka "sasl" }}
{{- if $v.kafka.sasl.enabled }}
{{- $_ := set $kafka "sasl" (dict "mechanism" $v.kafka.sasl.mechanism "username" $v.kafka.sasl.username "password" "${QSS_KAFKA_SASL_PASSWORD}") }}
{{- end }}
{{- $_ := set $bus "kafka" $kafka }}
{{- else }}
{{- $_ := set $bus "type" "embedded" }}
{{- $embedded := $bus.embedded | default dict }}
{{- $_ := set $embedded "path" (printf "%s/bus.sqlite" $data) }}
{{- $_ := set $bus "embedded" $embedded }}
{{- end }}
{{- $_ := set $cfg "bus" $bus }}
{{- $cfg | toJson }}
{{- end }}

{{/*
Plain scalars that are exactly one `${VAR}` of a secret are double-quoted, so that the product
reads the substituted secret as a string whatever it looks like (an unquoted value is read as YAML
after substitution: a key of digits would become a number).
*/}}
{{- define "qss-forwarder.quoteSecretRefs" -}}
{{- $text := .text }}
{{- range .names }}
{{- $text = regexReplaceAll (printf "(?m)^([ \\t]*(?:- )*(?:[A-Za-z0-9_./-]+: )?)(\\$\\{%s(?::-[^}\\n]*)?\\})[ \\t]*$" .) $text "${1}\"${2}\"" }}
{{- end }}
{{- $text }}
{{- end }}

{{- define "qss-forwarder.secretEnvNames" -}}
{{- $names := list }}
{{- range (include "qss-forwarder.secretEnvItems" . | fromJson).items }}
{{- $names = append $names .env }}
{{- end }}
{{- $names | toJson }}
{{- end }}

{{/* forwarder.yaml, as rendered into the ConfigMap. */}}
{{- define "qss-forwarder.forwarderYaml" -}}
{{- $cfg := include "qss-forwarder.forwarderConfig" . | fromJson }}
{{- $text := printf "# Generated by the qss-forwarder Helm chart (values: config.forwarder, zoom, kafka). Secrets are\n# references to environment variables of the pod, which come from Secrets. Reference: docs/configuration.md.\n%s" (toYaml $cfg) }}
{{- include "qss-forwarder.quoteSecretRefs" (dict "text" $text "names" (include "qss-forwarder.secretEnvNames" . | fromJsonArray)) }}
{{- end }}

{{/* The chart's default sinks.yaml: QoS metric points on standard output. */}}
{{- define "qss-forwarder.defaultSinks" -}}
sinks:
  console:
    type: stdout
    data: metrics
{{- end }}

{{/* sinks.yaml, as rendered into the ConfigMap (empty with config.existingSinksConfigMap). */}}
{{- define "qss-forwarder.sinksYaml" -}}
{{- $body := include "qss-forwarder.defaultSinks" . }}
{{- with .Values.config.sinks }}
{{- $body = toYaml . }}
{{- end }}
{{- $text := printf "# Generated by the qss-forwarder Helm chart (values: config.sinks). Reloaded by running workers when\n# it changes. Guide: docs/routing.md, docs/sinks.md.\n%s\n" ($body | trimSuffix "\n") }}
{{- include "qss-forwarder.quoteSecretRefs" (dict "text" $text "names" (include "qss-forwarder.secretEnvNames" . | fromJsonArray)) }}
{{- end }}

{{/* How long a SIGTERM may take, from the rendered forwarder.yaml: server.shutdown_drain_ms (the
product's default is 2000) + worker.shutdown_grace_ms (10000). */}}
{{- define "qss-forwarder.shutdownGraceMs" -}}
{{- $cfg := include "qss-forwarder.forwarderConfig" . | fromJson }}
{{- $worker := $cfg.worker | default dict }}
{{- $server := $cfg.server | default dict }}
{{- $grace := ternary ($worker.shutdown_grace_ms | int64) 10000 (hasKey $worker "shutdown_grace_ms") }}
{{- $drain := ternary ($server.shutdown_drain_ms | int64) 2000 (hasKey $server "shutdown_drain_ms") }}
{{- add $grace $drain }}
{{- end }}

{{/* Fails the render on combinations the schema cannot express. Included by every workload template. */}}
{{- define "qss-forwarder.validate" -}}
{{- $v := .Values }}
{{- if and (eq $v.mode "kafka") (empty $v.kafka.brokers) }}
{{- fail "[ERROR] kafka.brokers is required with mode: kafka (e.g. --set kafka.brokers={kafka-0.kafka:9092}); or use mode: embedded" }}
{{- end }}
{{- range $app, $cfg := $v.zoom.apps }}
{{- if not (or $cfg.secretToken ($cfg.existingSecret | default dict).name) }}
{{- fail (printf "[ERROR] zoom.apps.%s needs its Zoom Secret Token: set zoom.apps.%s.secretToken or zoom.apps.%s.existingSecret.name (Zoom App Marketplace → your app → Features → Access)" $app $app $app) }}
{{- end }}
{{- end }}
{{- if and (eq $v.mode "kafka") $v.kafka.sasl.enabled }}
{{- if not $v.kafka.sasl.username }}
{{- fail "[ERROR] kafka.sasl.username is required when kafka.sasl.enabled is true" }}
{{- end }}
{{- if not (or $v.kafka.sasl.password $v.kafka.sasl.existingSecret.name) }}
{{- fail "[ERROR] kafka.sasl.enabled needs kafka.sasl.password or kafka.sasl.existingSecret.name" }}
{{- end }}
{{- end }}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.existingSecret (ne (empty $v.kafka.tls.certKey) (empty $v.kafka.tls.keyKey)) }}
{{- fail "[ERROR] kafka.tls.certKey and kafka.tls.keyKey go together (mutual TLS needs both)" }}
{{- end }}
{{- range $name, $w := $v.workloads }}
{{- $pdb := $w.podDisruptionBudget }}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail (printf "[ERROR] workloads.%s.podDisruptionBudget: set minAvailable or maxUnavailable, not both (set the other to null)" $name) }}
{{- end }}
{{- end }}
{{- $grace := include "qss-forwarder.shutdownGraceMs" . | int64 }}
{{- if le (mul ($v.terminationGracePeriodSeconds | int64) 1000) $grace }}
{{- fail (printf "[ERROR] terminationGracePeriodSeconds (%d s) must be larger than server.shutdown_drain_ms + worker.shutdown_grace_ms (%d ms): the pod would be killed while it drains" ($v.terminationGracePeriodSeconds | int64) $grace) }}
{{- end }}
{{- if and $v.httpRoute.enabled (empty $v.httpRoute.parentRefs) }}
{{- fail "[ERROR] httpRoute.parentRefs is required when httpRoute.enabled is true (the Gateway listener to attach to)" }}
{{- end }}
{{- if empty $v.envFrom }}
{{- $known := dict "PORT" true "ADMIN_PORT" true "LOG_LEVEL" true "LOG_FORMAT" true "POD_NAME" true "POD_NAMESPACE" true }}
{{- range (include "qss-forwarder.secretEnvNames" . | fromJsonArray) }}{{ $_ := set $known . true }}{{ end }}
{{- range $v.env }}{{ $_ := set $known .name true }}{{ end }}
{{- $text := include "qss-forwarder.forwarderYaml" . }}
{{- if not $v.config.existingSinksConfigMap.name }}
{{- $text = printf "%s\n%s" $text (include "qss-forwarder.sinksYaml" .) }}
{{- end }}
{{- range regexFindAll "\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}" (regexReplaceAll "\\$\\$\\{" $text "") -1 }}
{{- $name := . | trimPrefix "${" | trimSuffix "}" }}
{{- if not (hasKey $known $name) }}
{{- fail (printf "[ERROR] the configuration uses ${%s} but no environment variable %s is given: add it to secretEnv (a secret) or env, or write ${%s:-default}" $name $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The pod template of every workload:
  (dict "root" $ "component" "ingress|worker|serve" "args" "ingress|worker|serve"
        "workload" .Values.workloads.<name> "webhook" true|false "scrapePorts" true|false
        "data" (dict "kind" "emptyDir" "sizeLimit" "1Gi" | "claimTemplate" | "existingClaim" "claimName" "…"))
*/}}
{{- define "qss-forwarder.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $w := .workload }}
{{- $selector := include "qss-forwarder.componentSelectorLabels" (dict "root" $root "component" .component) | fromYaml -}}
metadata:
  labels:
    {{- include "qss-forwarder.componentSelectorLabels" (dict "root" $root "component" .component) | nindent 4 }}
    app.kubernetes.io/version: {{ $v.image.tag | default $root.Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
    {{- with merge (dict) ($w.podLabels | default dict) $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "qss-forwarder.forwarderYaml" $root | sha256sum }}
    {{- if and $v.config.rollOnSinksChange (not $v.config.existingSinksConfigMap.name) }}
    checksum/sinks: {{ include "qss-forwarder.sinksYaml" $root | sha256sum }}
    {{- end }}
    {{- $secretData := include "qss-forwarder.secretData" $root }}
    {{- if and $v.config.rollOnSecretChange (ne $secretData "{}") }}
    checksum/secret: {{ $secretData | sha256sum }}
    {{- end }}
    {{- with merge (dict) ($w.podAnnotations | default dict) $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "qss-forwarder.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $v.serviceAccount.automountServiceAccountToken }}
  enableServiceLinks: {{ $v.enableServiceLinks }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $spread := list }}
  {{- if $w.topologySpreadConstraints }}
  {{- range $w.topologySpreadConstraints }}
  {{- $c := deepCopy . }}
  {{- if not (hasKey $c "labelSelector") }}{{ $_ := set $c "labelSelector" (dict "matchLabels" $selector) }}{{ end }}
  {{- $spread = append $spread $c }}
  {{- end }}
  {{- else if $v.topologySpread.enabled }}
  {{- range $v.topologySpread.topologyKeys }}
  {{- $spread = append $spread (dict "maxSkew" $v.topologySpread.maxSkew "topologyKey" . "whenUnsatisfiable" $v.topologySpread.whenUnsatisfiable "labelSelector" (dict "matchLabels" $selector)) }}
  {{- end }}
  {{- end }}
  {{- with $spread }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: qss-forwarder
      image: {{ include "qss-forwarder.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args:
        - {{ .args }}
        - --config
        - {{ include "qss-forwarder.configDir" $root }}/forwarder.yaml
        - --sinks
        - {{ include "qss-forwarder.configDir" $root }}/sinks.yaml
        {{- range $w.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      ports:
        {{- if .webhook }}
        - name: http
          containerPort: {{ $v.ports.webhook }}
          protocol: TCP
        {{- end }}
        - name: admin
          containerPort: {{ $v.ports.admin }}
          protocol: TCP
        {{- if .scrapePorts }}
        {{- range $v.metrics.extraPorts }}
        - name: {{ .name }}
          containerPort: {{ .port }}
          protocol: TCP
        {{- end }}
        {{- end }}
      env:
        - name: PORT
          value: {{ $v.ports.webhook | quote }}
        - name: ADMIN_PORT
          value: {{ $v.ports.admin | quote }}
        - name: LOG_LEVEL
          value: {{ $v.log.level | quote }}
        - name: LOG_FORMAT
          value: {{ $v.log.format | quote }}
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        {{- range (include "qss-forwarder.secretEnvItems" $root | fromJson).items }}
        - name: {{ .env }}
          valueFrom:
            secretKeyRef:
              name: {{ .existingName | default (include "qss-forwarder.secretName" $root) }}
              key: {{ .existingKey | default .secretKey }}
        {{- end }}
        {{- with $v.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.probes.startup }}
      {{- if .enabled }}
      startupProbe:
        httpGet:
          path: /healthz
          port: admin
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      {{- with $v.probes.liveness }}
      {{- if .enabled }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: admin
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      {{- with $v.probes.readiness }}
      {{- if .enabled }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: admin
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      {{- with $w.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      {{- with $v.lifecycle }}
      lifecycle:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: {{ include "qss-forwarder.configDir" $root }}
          readOnly: true
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: {{ include "qss-forwarder.dataDir" $root }}
        {{- if and (eq $v.mode "kafka") $v.kafka.tls.enabled $v.kafka.tls.existingSecret }}
        - name: kafka-tls
          mountPath: {{ include "qss-forwarder.kafkaTlsDir" $root }}
          readOnly: true
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    # forwarder.yaml and sinks.yaml in one folder. Not subPath mounts: the kubelet updates a
    # projected ConfigMap in place, which is what the workers' sinks.yaml hot reload watches.
    - name: config
      projected:
        sources:
          - configMap:
              name: {{ include "qss-forwarder.configMapName" $root }}
              items:
                - key: forwarder.yaml
                  path: forwarder.yaml
                {{- if not $v.config.existingSinksConfigMap.name }}
                - key: sinks.yaml
                  path: sinks.yaml
                {{- end }}
          {{- with $v.config.existingSinksConfigMap }}
          {{- if .name }}
          - configMap:
              name: {{ .name }}
              items:
                - key: {{ .key }}
                  path: sinks.yaml
          {{- end }}
          {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ $v.tmpSizeLimit }}
    {{- if eq .data.kind "emptyDir" }}
    - name: data
      emptyDir:
        sizeLimit: {{ .data.sizeLimit }}
    {{- else if eq .data.kind "existingClaim" }}
    - name: data
      persistentVolumeClaim:
        claimName: {{ .data.claimName }}
    {{- end }}
    {{- if and (eq $v.mode "kafka") $v.kafka.tls.enabled $v.kafka.tls.existingSecret }}
    - name: kafka-tls
      secret:
        secretName: {{ $v.kafka.tls.existingSecret }}
        defaultMode: 288 # 0440: readable by the pod's fsGroup
    {{- end }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* volumeClaimTemplates entry `data` of a StatefulSet: (dict "root" $ "component" "serve" "persistence" …). */}}
{{- define "qss-forwarder.dataClaimTemplate" -}}
- metadata:
    name: data
    labels:
      {{- include "qss-forwarder.componentSelectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
  spec:
    accessModes:
      {{- toYaml .persistence.accessModes | nindent 6 }}
    {{- with .persistence.storageClassName }}
    storageClassName: {{ . | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ .persistence.size }}
{{- end }}
