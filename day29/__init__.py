"""Day 29: tool calling — functions the model may call, the tool loop, guarding inputs."""
