// `GET /docs`: a page that reads /openapi.json and lists every operation with a form to try it
// (path and query fields, a JSON body prefilled from the schema, an ID token field kept only in
// the page). One self-contained document that loads nothing from elsewhere: the deployment has
// no internet to fetch a Swagger UI from, and the service's CSP stays strict. The inline script
// and style are allowed by their SHA-256 in this page's own CSP, nothing else is; text from the
// document is only ever set as text, never as HTML.
import { createHash } from 'node:crypto';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d232a; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; justify-content: space-between; }
header label { display: flex; gap: .5rem; align-items: center; }
h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
details.op { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: .4rem .6rem; }
summary { cursor: pointer; }
.method { display: inline-block; min-width: 4.2rem; font-weight: 600; text-transform: uppercase; }
.get { color: #0969da; } .post { color: #1a7f37; } .put { color: #9a6700; } .delete { color: #cf222e; }
.sum { color: #57606a; }
.desc { white-space: pre-line; }
form.try { display: grid; gap: .4rem; }
form.try label { display: grid; gap: .2rem; font-size: 13px; color: #57606a; }
input, textarea { font: 13px ui-monospace, monospace; padding: .3rem; }
button { justify-self: start; padding: .3rem 1rem; }
pre.out { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 30rem; }
pre.out:empty { display: none; }
`;

const SCRIPT = `
'use strict';
(function () {
  var main = document.getElementById('ops');
  var tokenInput = document.getElementById('token');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }

  function resolve(doc, schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 10) {
      schema = doc.components.schemas[schema.$ref.split('/').pop()] || {};
    }
    return schema || {};
  }

  function sample(doc, schema, depth) {
    schema = resolve(doc, schema);
    if (depth > 5) return null;
    if ('default' in schema) return schema.default;
    if ('const' in schema) return schema.const;
    if (schema.enum) return schema.enum[0];
    if (schema.anyOf) return sample(doc, schema.anyOf[0], depth + 1);
    var type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === 'object') {
      var out = {};
      Object.keys(schema.properties || {}).forEach(function (k) {
        out[k] = sample(doc, schema.properties[k], depth + 1);
      });
      return out;
    }
    if (type === 'array') return schema.items ? [sample(doc, schema.items, depth + 1)] : [];
    if (type === 'integer' || type === 'number') return 0;
    if (type === 'boolean') return false;
    if (type === 'string') return '';
    return null;
  }

  function hint(schema) {
    if (!schema) return '';
    if (schema.enum) return schema.enum.join(' | ');
    if (schema.format) return schema.format;
    return schema.type ? String(schema.type) : '';
  }

  function operation(doc, path, method, op) {
    var form = el('form', { class: 'try' });
    var fields = (op.parameters || []).map(function (p) {
      var input = el('input', { name: p.name, placeholder: hint(p.schema), autocomplete: 'off' });
      input.required = p.required;
      form.append(el('label', {}, [p.name + ' (' + p.in + (p.required ? ', required' : '') + ')', input]));
      return { param: p, input: input };
    });
    var body;
    if (op.requestBody) {
      body = el('textarea', { rows: '6', spellcheck: 'false' });
      var schema = op.requestBody.content['application/json'].schema;
      body.value = JSON.stringify(sample(doc, schema, 0), null, 2);
      form.append(el('label', {}, ['body (JSON)', body]));
    }
    var out = el('pre', { class: 'out' });
    form.append(el('button', { type: 'submit' }, ['Send']));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var url = path;
      var query = new URLSearchParams();
      fields.forEach(function (f) {
        var value = f.input.value;
        if (f.param.in === 'path') url = url.replace('{' + f.param.name + '}', encodeURIComponent(value));
        else if (value !== '') query.append(f.param.name, value);
      });
      if (query.toString()) url += '?' + query.toString();
      var headers = {};
      var token = tokenInput.value.trim();
      if (token && op.security && op.security.length) headers.authorization = 'Bearer ' + token;
      var init = { method: method.toUpperCase(), headers: headers };
      if (body) {
        headers['content-type'] = 'application/json';
        init.body = body.value;
      }
      out.textContent = init.method + ' ' + url + ' …';
      fetch(url, init)
        .then(function (res) {
          return res.text().then(function (text) {
            var shown = text;
            try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
            out.textContent = init.method + ' ' + url + '\\n' + res.status + ' ' + res.statusText + '\\n\\n' + shown;
          });
        })
        .catch(function (err) { out.textContent = String(err); });
    });
    var codes = Object.keys(op.responses || {}).join(', ');
    return el('details', { class: 'op', id: op.operationId }, [
      el('summary', {}, [
        el('span', { class: 'method ' + method }, [method]),
        el('code', {}, [path]),
        ' ',
        el('span', { class: 'sum' }, [op.summary || '']),
      ]),
      el('p', { class: 'desc' }, [(op.description || '') + '\\nAnswers: ' + codes]),
      form,
      out,
    ]);
  }

  fetch('openapi.json')
    .then(function (res) { return res.json(); })
    .then(function (doc) {
      document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
      (doc.tags || []).forEach(function (tag) {
        var section = el('section', {}, [el('h2', {}, [tag.name]), el('p', {}, [tag.description || ''])]);
        Object.keys(doc.paths).forEach(function (path) {
          Object.keys(doc.paths[path]).forEach(function (method) {
            var op = doc.paths[path][method];
            if ((op.tags || []).indexOf(tag.name) >= 0) section.append(operation(doc, path, method, op));
          });
        });
        main.append(section);
      });
    })
    .catch(function (err) { main.textContent = 'Could not load openapi.json: ' + err; });
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin API</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1 id="title">Admin API</h1>
<label>ID token <input id="token" type="password" autocomplete="off" placeholder="Firebase ID token"></label>
</header>
<p>Generated from <a href="openapi.json">openapi.json</a>. The token stays in this page and is sent only to this server.</p>
<main id="ops"></main>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** This page's CSP, replacing the service's `default-src 'none'` on this route only. */
export const docsCsp: RequestHandler = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: [sha256(SCRIPT)],
    styleSrc: [sha256(STYLE)],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});
