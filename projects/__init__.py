"""The capstone APIs that grow alongside the days: blog_api, todo_api and notes_ai."""
