"""`graph_to_html(graph)`: a self-contained web page (inline SVG and JavaScript, nothing fetched) that draws a
graph without TensorBoard — name scopes as boxes that open on click, op types, shapes on edges, control edges
dashed. For notebooks (`IPython.display.HTML`) and quick looks in a browser."""
import html
import json

__all__ = ["graph_to_html"]


def _nodes(graph):
    nodes = []
    for op in graph.get_operations():
        nodes.append({
            "n": op.name, "t": op.type, "d": op.device or "",
            "i": [t.op.name for t in op.inputs], "c": [c.name for c in op.control_inputs],
            "s": [t.shape.bracket_str() if hasattr(t.shape, "bracket_str") else str(t.shape) for t in op.outputs],
            "y": [t.dtype.base_dtype.name for t in op.outputs],
        })
    return nodes


def graph_to_html(graph=None, title=None, path=None):
    """An HTML page drawing `graph` (default: the default graph); no network access needed to view it.

    Args:
        graph: a `tf.Graph`.
        title: the page title (default "neuroflow graph").
        path: if given, the page is also written to this file.
    Returns:
        The page as a string.

    Example:
        >>> page = tf.summary.graph_to_html(sess.graph, path="graph.html")
        >>> from IPython.display import HTML; HTML(page)  # in a notebook
    """
    if graph is None:
        from ..framework.graph import get_default_graph
        graph = get_default_graph()
    title = title or "neuroflow graph"
    data = json.dumps(_nodes(graph), separators=(",", ":")).replace("</", "<\\/")
    page = _TEMPLATE.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
    return page


_TEMPLATE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{margin:0;font:12px sans-serif;display:flex;height:100vh;overflow:hidden}
#side{width:260px;padding:8px;border-right:1px solid #ccc;overflow:auto;background:#fafafa}
#main{flex:1;position:relative}svg{display:block;width:100%;height:100%;cursor:grab}
.op rect{fill:#fff;stroke:#777}.grp rect{fill:#e8eef7;stroke:#6a8bbf}.grp{cursor:pointer}
.e{fill:none;stroke:#999;stroke-width:1.2}.e.ctl{stroke-dasharray:4 3;stroke:#bbb}
.lbl{font-size:9px;fill:#666}h3{margin:4px 0}.open{color:#24c;cursor:pointer;display:block}
</style></head><body>
<div id="side"><h3>__TITLE__</h3><div>Click a box to open a name scope; click an open scope below to close it.
Drag to pan, wheel to zoom. Dashed edges are control dependencies.</div><h3>Open scopes</h3><div id="opened"></div><h3>Node</h3><pre id="info"></pre></div>
<div id="main"><svg id="svg"><g id="view"></g></svg></div>
<script>
const NODES=__DATA__;const byName={};NODES.forEach(n=>byName[n.n]=n);
const scopes=new Set();NODES.forEach(n=>{const p=n.n.split('/');for(let k=1;k<p.length;k++)scopes.add(p.slice(0,k).join('/'));});
const opened=new Set();  // open scopes; a page link may name some: graph.html#open=hidden,train
(location.hash.match(/open=([^&]*)/)||['',''])[1].split(',').filter(x=>x).forEach(x=>{
 const p=decodeURIComponent(x).split('/');for(let k=1;k<=p.length;k++)opened.add(p.slice(0,k).join('/'));});const W=150,H=34,GX=30,GY=60;
// the box an op is drawn in: its outermost closed scope (an op named like a scope belongs to that scope's box)
function vis(name){const p=name.split('/');for(let k=1;k<=p.length;k++){const s=p.slice(0,k).join('/');
 if(k===p.length)return scopes.has(s)&&!opened.has(s)?'G:'+s:name;if(!opened.has(s))return 'G:'+s;}}
function draw(){
 const ids=new Map(),edges=new Map();
 NODES.forEach(n=>{const v=vis(n.n);if(!ids.has(v))ids.set(v,{id:v,ops:[]});ids.get(v).ops.push(n);
  const add=(src,ctl)=>{const a=vis(src);if(a===v)return;const k=a+'>'+v;const e=edges.get(k)||{a,b:v,ctl:true,shape:''};
   e.ctl=e.ctl&&ctl;if(!ctl&&!a.startsWith('G:')){const s=byName[src];if(s&&s.s[0]!=='[]')e.shape=s.s[0]||'';}
   edges.set(k,e);};
  n.i.forEach(s=>add(s,false));n.c.forEach(s=>add(s,true));});
 const ins=new Map(),outs=new Map();ids.forEach((_,k)=>{ins.set(k,[]);outs.set(k,[]);});
 edges.forEach(e=>{outs.get(e.a).push(e.b);ins.get(e.b).push(e.a);});
 // layers by longest path; edges closing a cycle (possible between scope boxes) are ignored
 const layer=new Map(),state=new Map();
 function depth(k){if(layer.has(k))return layer.get(k);if(state.get(k)===1)return -1;state.set(k,1);
  let d=0;ins.get(k).forEach(a=>{const x=depth(a);if(x>=0)d=Math.max(d,x+1);});state.set(k,2);layer.set(k,d);return d;}
 ids.forEach((_,k)=>depth(k));
 const rows=[];layer.forEach((d,k)=>{(rows[d]=rows[d]||[]).push(k);});
 const pos=new Map();rows.forEach(r=>r.forEach((k,i)=>pos.set(k,i)));
 const bc=new Map();  // barycentre ordering: each box moves towards the mean position of its neighbours
 for(let pass=0;pass<4;pass++)rows.forEach(r=>{r.forEach(k=>{const nb=ins.get(k).concat(outs.get(k));
   bc.set(k,nb.length?nb.reduce((s,a)=>s+pos.get(a),0)/nb.length:pos.get(k));});
   r.sort((x,y)=>bc.get(x)-bc.get(y));r.forEach((k,i)=>pos.set(k,i));});
 const width=Math.max(...rows.map(r=>r.length));const xy=new Map();
 rows.forEach((r,d)=>r.forEach((k,i)=>xy.set(k,[(i+(width-r.length)/2)*(W+GX),d*(H+GY)])));
 vb=[-20,-20,width*(W+GX)+40,rows.length*(H+GY)+40];setVB();  // fit the drawing to the window
 let s='';edges.forEach(e=>{const [x1,y1]=xy.get(e.a),[x2,y2]=xy.get(e.b);const ax=x1+W/2,ay=y1+H,bx=x2+W/2,by=y2;
  s+=`<path class="e${e.ctl?' ctl':''}" d="M${ax},${ay} C${ax},${ay+GY/2} ${bx},${by-GY/2} ${bx},${by}" marker-end="url(#arr)"/>`;
  if(e.shape&&!e.ctl)s+=`<text class="lbl" x="${(ax+bx)/2+3}" y="${(ay+by)/2}">${esc(e.shape)}</text>`;});
 ids.forEach((v,k)=>{const [x,y]=xy.get(k);const g=k.startsWith('G:');const name=g?k.slice(2):k;
  const parts=name.split('/'),short=parts.pop(),where=parts.length?' in '+parts.join('/'):'';
  const sub=(g?v.ops.length+(v.ops.length>1?' ops':' op'):byName[k].t)+where;
  s+=`<g class="${g?'grp':'op'}" data-k="${esc(k)}" transform="translate(${x},${y})"><rect width="${W}" height="${H}" rx="${g?8:3}"/>`+
   `<text x="6" y="14">${esc(short.slice(0,22))}</text><text class="lbl" x="6" y="27">${esc(sub.slice(0,30))}</text>`+
   `<title>${esc(name)}</title></g>`;});
 document.getElementById('view').innerHTML='<defs><marker id="arr" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L8,4L0,8z" fill="#999"/></marker></defs>'+s;
 document.querySelectorAll('#view g[data-k]').forEach(el=>{const k=el.dataset.k;
  el.onclick=()=>{if(k.startsWith('G:')){opened.add(k.slice(2));draw();}};
  el.onmouseenter=()=>{const n=byName[k];document.getElementById('info').textContent=n?
   `${n.n}\ntype: ${n.t}\noutputs: ${n.s.map((x,i)=>x+' '+n.y[i]).join(', ')}\ninputs: ${n.i.join(', ')}`+
   (n.c.length?`\ncontrol: ${n.c.join(', ')}`:'')+(n.d?`\ndevice: ${n.d}`:''):`scope ${k.slice(2)}`;};});
 document.getElementById('opened').innerHTML=[...opened].sort().map(o=>`<span class="open" data-o="${esc(o)}">&#9662; ${esc(o)}</span>`).join('');
 document.querySelectorAll('#opened span').forEach(el=>el.onclick=()=>{const o=el.dataset.o;
  [...opened].forEach(x=>{if(x===o||x.startsWith(o+'/'))opened.delete(x);});draw();});}
function esc(t){return String(t).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
let vb=[0,0,1,1];const svg=document.getElementById('svg');
function setVB(){svg.setAttribute('viewBox',vb.join(' '));}
svg.onwheel=ev=>{ev.preventDefault();const f=ev.deltaY>0?1.15:1/1.15;const r=svg.getBoundingClientRect();
 const mx=vb[0]+(ev.clientX-r.left)/r.width*vb[2],my=vb[1]+(ev.clientY-r.top)/r.height*vb[3];
 vb=[mx-(mx-vb[0])*f,my-(my-vb[1])*f,vb[2]*f,vb[3]*f];setVB();};
let drag=null;svg.onmousedown=ev=>{drag=[ev.clientX,ev.clientY];};window.onmouseup=()=>drag=null;
window.onmousemove=ev=>{if(!drag)return;const r=svg.getBoundingClientRect();
 vb[0]-=(ev.clientX-drag[0])*vb[2]/r.width;vb[1]-=(ev.clientY-drag[1])*vb[3]/r.height;drag=[ev.clientX,ev.clientY];setVB();};
draw();
</script></body></html>
"""
