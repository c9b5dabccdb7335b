/*! Material for MkDocs 9.8, partials/javascripts/base.html (MIT licence, (c) Martin Donath), as a
 * file: the site's root (this file is at assets/javascripts/) scopes the reader's settings. Then,
 * before the page is painted, <html> says scripts run ("js", which Material's bundle sets only at
 * the end of the page): what the reader's scripts will fill keeps its place from the first paint,
 * so nothing below it moves (archive.css, reader.css: layout shift). */
__md_scope=new URL("../..",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}};document.documentElement.classList.replace("no-js","js");
