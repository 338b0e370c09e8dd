{{/*
Names. The prefix is the release name (plus "-rentezy" unless the release name
already says rentezy); a service's resources are <prefix>-<service>, a process's
<prefix>-<service>-<process>, with underscores as dashes.
*/}}
{{- define "rentezy.fullname" -}}
{{- if contains "rentezy" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-rentezy" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rentezy.serviceName" -}}
{{- printf "%s-%s" (include "rentezy.fullname" .root) (.name | replace "_" "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rentezy.processName" -}}
{{- printf "%s-%s-%s" (include "rentezy.fullname" .root) (.name | replace "_" "-") (.process | replace "_" "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rentezy.chartLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rentezy
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of every pod of the release. */}}
{{- define "rentezy.releaseSelector" -}}
app.kubernetes.io/name: rentezy
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of a service's pods: dict root name. */}}
{{- define "rentezy.serviceSelector" -}}
{{ include "rentezy.releaseSelector" .root }}
rentezy.io/service: {{ .name }}
{{- end -}}

{{/* Selector labels of one process's pods: dict root name process. */}}
{{- define "rentezy.processSelector" -}}
{{ include "rentezy.serviceSelector" . }}
rentezy.io/process: {{ .process }}
{{- end -}}

{{- define "rentezy.processLabels" -}}
{{ include "rentezy.processSelector" . }}
{{ include "rentezy.chartLabels" .root }}
app.kubernetes.io/component: {{ printf "%s-%s" .name .process | replace "_" "-" }}
{{- end -}}

{{/* The image of a service: dict root svc. */}}
{{- define "rentezy.image" -}}
{{- $image := .root.Values.image -}}
{{- $repo := printf "%s%s" $image.repositoryPrefix (.svc.directory | replace "_" "-") -}}
{{- if $image.registry }}{{ $repo = printf "%s/%s" $image.registry $repo }}{{ end -}}
{{- $tag := (.svc.image | default dict).tag | default $image.tag | default .root.Chart.AppVersion -}}
{{- if eq $tag "latest" }}{{ fail "image tag \"latest\" is refused: name a version" }}{{ end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{- define "rentezy.publicBaseUrl" -}}
{{- if .Values.publicBaseUrl -}}
{{- .Values.publicBaseUrl | trimSuffix "/" -}}
{{- else -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/* A process's settings: the kind's defaults with its own entry merged over them
(a `pdb` of its own replaces the default one: minAvailable and maxUnavailable exclude
each other). */}}
{{- define "rentezy.process" -}}
{{- $defaults := index .root.Values.processDefaults .proc.kind | default dict -}}
{{- $merged := mergeOverwrite (deepCopy $defaults) (deepCopy .proc) -}}
{{- if .proc.pdb }}{{ $_ := set $merged "pdb" (deepCopy .proc.pdb) }}{{ end -}}
{{- toYaml $merged -}}
{{- end -}}

{{- define "rentezy.uses" -}}
{{- has .what (.svc.uses | default list) -}}
{{- end -}}

{{/*
The environment of every container of a service (web, workers, migrations): the
platform's settings (docs/configuration.md) in production mode. dict root name svc
[literal: true for hooks, which cannot read the release's ConfigMaps].
*/}}
{{- define "rentezy.env" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $svc := .svc -}}
{{- $ns := $root.Release.Namespace -}}
{{- $host := include "rentezy.serviceName" (dict "root" $root "name" $name) -}}
- name: RENTEZY_ENV
  value: production
- name: SERVICE_NAME
  value: {{ $name | quote }}
- name: PORT
  value: {{ $svc.port | quote }}
- name: STATE_DIR
  value: /tmp/rentezy
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
{{- /* Hooks (migrations) run before the release's ConfigMaps exist: literal values. */}}
{{- $public := printf "%s-public" (include "rentezy.fullname" $root) }}
{{- $publicValues := include "rentezy.publicConfig" $root | fromYaml }}
{{- range $key := list "PUBLIC_BASE_URL" (ternary "PUBLIC_HOSTS" "" (eq $name "gateway")) }}
{{- if $key }}
- name: {{ $key }}
{{- if $.literal }}
  value: {{ index $publicValues $key | quote }}
{{- else }}
  valueFrom:
    configMapKeyRef: {name: {{ $public }}, key: {{ $key }}}
{{- end }}
{{- end }}
{{- end }}
{{- $hosts := list $host (printf "%s.%s.svc" $host $ns) (printf "%s.%s.svc.cluster.local" $host $ns) "localhost" }}
{{- if eq $name "gateway" }}
{{- $hosts = prepend $hosts "$(PUBLIC_HOSTS)" }}
{{- end }}
- name: DJANGO_ALLOWED_HOSTS
  value: {{ $hosts | join "," | quote }}
{{- range $group := prepend ($svc.secrets | default list) "platform" }}
{{- $secret := index $root.Values.secrets $group | required (printf "secrets.%s is not defined (services.%s.secrets)" $group $name) }}
{{- range $key := $secret.keys }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret.existingSecret | required (printf "secrets.%s.existingSecret" $group) }}
      key: {{ $key }}
{{- end }}
{{- end }}
{{- $db := $svc.database | default dict }}
- name: DATABASE_USER
  valueFrom:
    secretKeyRef:
      name: {{ $db.existingSecret | required (printf "services.%s.database.existingSecret" $name) }}
      key: username
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $db.existingSecret }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://$(DATABASE_USER):$(DATABASE_PASSWORD)@%s:%v/%s?sslmode=%s" ($db.host | default $root.Values.postgresql.host) ($db.port | default $root.Values.postgresql.port) ($db.name | default (printf "rentezy_%s" $name)) ($db.sslmode | default $root.Values.postgresql.sslmode) | quote }}
{{- $redis := $root.Values.redis }}
{{- $scheme := ternary "rediss" "redis" $redis.tls }}
{{- if $redis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.passwordKey }}
- name: REDIS_URL
  value: {{ printf "%s://:$(REDIS_PASSWORD)@%s:%v/%v" $scheme $redis.host $redis.port $svc.redisDb | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://%s:%v/%v" $scheme $redis.host $redis.port $svc.redisDb | quote }}
{{- end }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $root.Values.kafka.bootstrapServers | quote }}
{{- if eq (include "rentezy.uses" (dict "svc" $svc "what" "elasticsearch")) "true" }}
- name: ELASTICSEARCH_URL
  value: {{ $root.Values.elasticsearch.url | quote }}
{{- end }}
{{- if $svc.mediaStorage }}
{{- $prefix := printf "%s_MEDIA" (upper $name) }}
{{- $storage := $root.Values.storage }}
- name: {{ $prefix }}_STORAGE
  value: {{ $storage.backend | quote }}
{{- if eq $storage.backend "s3" }}
- name: {{ $prefix }}_S3_BUCKET
  value: {{ $storage.s3.bucket | required "storage.s3.bucket" | quote }}
{{- range $var, $value := dict "ENDPOINT_URL" $storage.s3.endpointUrl "REGION" $storage.s3.region "CUSTOM_DOMAIN" $storage.s3.customDomain "PREFIX" $storage.s3.prefix "DEFAULT_ACL" $storage.s3.defaultAcl }}
{{- if $value }}
- name: {{ $prefix }}_S3_{{ $var }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
- name: {{ $prefix }}_S3_QUERYSTRING_AUTH
  value: {{ $storage.s3.querystringAuth | quote }}
{{- if $storage.s3.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $storage.s3.existingSecret }}
      key: AWS_ACCESS_KEY_ID
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $storage.s3.existingSecret }}
      key: AWS_SECRET_ACCESS_KEY
{{- end }}
{{- else }}
- name: {{ $prefix }}_ROOT
  value: {{ $storage.filesystem.mountPath | quote }}
{{- end }}
{{- end }}
{{- if eq $name "gateway" }}
{{- if not $.literal }}
- name: GATEWAY_ROUTES_FILE
  value: /etc/rentezy/gateway/routes.toml
{{- end }}
- name: GATEWAY_CORS_ORIGINS
{{- if $.literal }}
  value: {{ $publicValues.GATEWAY_CORS_ORIGINS | quote }}
{{- else }}
  valueFrom:
    configMapKeyRef: {name: {{ $public }}, key: GATEWAY_CORS_ORIGINS}
{{- end }}
- name: GATEWAY_TRUSTED_PROXY_HOPS
  value: {{ $root.Values.gateway.trustedProxyHops | quote }}
# /metrics is served on this port only, never on the public one (docs/services/gateway.md).
- name: GATEWAY_METRICS_PORT
  value: {{ $root.Values.gateway.metricsPort | quote }}
{{- range $upstream, $other := $root.Values.services }}
{{- if and $other.routed (ne (toString $other.enabled) "false") }}
- name: {{ printf "UPSTREAM_%s_URL" (upper $upstream) }}
  value: {{ printf "http://%s:%v" (include "rentezy.serviceName" (dict "root" $root "name" $upstream)) $other.port | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- range $key, $value := $svc.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "rentezy.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "rentezy.containerSecurityContext" -}}
{{ toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/* Volumes of a service's pods: /tmp always, the media claim where it applies. */}}
{{- define "rentezy.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmpVolume.sizeLimit }}
{{- if and (eq .name "gateway") (not .literal) }}
- name: routes
  configMap:
    name: {{ include "rentezy.serviceName" (dict "root" .root "name" "gateway") }}-routes
{{- end }}
{{- if and .svc.mediaStorage (eq .root.Values.storage.backend "filesystem") }}
- name: media
  persistentVolumeClaim:
    claimName: {{ .root.Values.storage.filesystem.existingClaim | required "storage.filesystem.existingClaim (a ReadWriteMany claim) for backend filesystem" }}
{{- end }}
{{- end -}}

{{- define "rentezy.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and (eq .name "gateway") (not .literal) }}
- name: routes
  mountPath: /etc/rentezy/gateway
  readOnly: true
{{- end }}
{{- if and .svc.mediaStorage (eq .root.Values.storage.backend "filesystem") }}
- name: media
  mountPath: {{ .root.Values.storage.filesystem.mountPath }}
{{- end }}
{{- end -}}

{{/* Services that are on (enabled unless said otherwise), sorted by name. */}}
{{- define "rentezy.enabled" -}}
{{- ne (toString .enabled) "false" -}}
{{- end -}}

{{/* The gateway's routing table: gateway.routes, or the chart's copy of routes.toml. */}}
{{- define "rentezy.routes" -}}
{{- .Values.gateway.routes | default (.Files.Get "files/routes.toml") -}}
{{- end -}}

{{- define "rentezy.publicConfig" -}}
PUBLIC_BASE_URL: {{ include "rentezy.publicBaseUrl" . | quote }}
PUBLIC_HOSTS: {{ concat (list .Values.ingress.host) (.Values.httpRoute.hostnames | default list) | uniq | join "," | quote }}
GATEWAY_CORS_ORIGINS: {{ prepend (.Values.gateway.extraCorsOrigins | default list) (include "rentezy.publicBaseUrl" .) | uniq | join "," | quote }}
{{- end -}}
