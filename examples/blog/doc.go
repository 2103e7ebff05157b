// Package blog is pave's second sample app: blog-web (an API over posts)
// and blog-feed (an RSS feed of them) share one PostgreSQL database, as
// described by web.score.yaml and feed.score.yaml. The program is in
// cmd/blog; this package holds only its tests.
package blog
